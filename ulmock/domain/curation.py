"""Curating a dataset: merging and deleting classes, redistributing splits, copying images in,
cloning, and comparing two saved versions.

Class ids are positions in `class_names`; removing a class shifts every later id down,
in the boxes too, so the statistics computed from the boxes stay consistent. Splits are
redistributed with a generator seeded from the world's seed and the dataset, so one
world always deals the same hand.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ulmock.domain.entities import Account, Dataset, DatasetImage, DatasetVersion
from ulmock.domain.errors import ValidationError
from ulmock.domain.world import World

SPLITS = ("train", "val", "test")
# Ultralytics' default annotation palette, one colour per class id (cycling).
PALETTE = (
    "#FF3838",
    "#FF9D97",
    "#FF701F",
    "#FFB21D",
    "#CFD231",
    "#48F90A",
    "#92CC17",
    "#3DDB86",
    "#1A9334",
    "#00D4BB",
    "#2C99A8",
    "#00C2FF",
    "#344593",
    "#6473FF",
    "#0018EC",
    "#8438FF",
    "#520085",
    "#CB38FF",
    "#FF95C8",
    "#FF37C7",
)


def class_colors(class_names: Sequence[str]) -> dict[str, str]:
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(class_names)}


def _boxes(image: DatasetImage) -> list[list[float]]:
    boxes: list[list[float]] = image.annotations.get("boxes", [])
    return boxes


def _check_ids(dataset: Dataset, ids: Sequence[int], field_name: str) -> list[int]:
    if not ids:
        raise ValidationError(f"Invalid {field_name}: give at least one class id", {field_name: "empty"})
    bad = [i for i in ids if not 0 <= i < len(dataset.class_names)]
    if bad:
        raise ValidationError(
            f"Invalid {field_name}: class {bad[0]} does not exist (the dataset has {len(dataset.class_names)})",
            {field_name: bad[0]},
        )
    return sorted(set(ids))


def remap_classes(world: World, dataset: Dataset, mapping: Mapping[int, int | None], names: list[str]) -> int:
    """Give every box its new class (`None` drops it) and the dataset `names`; boxes dropped."""
    dropped = 0
    for image in dataset.images:
        kept = []
        for box in _boxes(image):
            new = mapping.get(int(box[0]), int(box[0]))
            if new is None:
                dropped += 1
            else:
                kept.append([new, *box[1:]])
        if "boxes" in image.annotations:
            image.annotations = {**image.annotations, "boxes": kept}
    dataset.class_names = names
    dataset.updated_at = world.now()
    return dropped


def merge_classes(world: World, dataset: Dataset, sources: Sequence[int], target: int) -> tuple[list[int], int]:
    """Boxes of `sources` become `target`; the sources go. The merged ids and the target's new id."""
    merged = _check_ids(dataset, [s for s in sources if s != target], "sourceClassIds")
    (target,) = _check_ids(dataset, [target], "targetClassId")
    kept = [i for i in range(len(dataset.class_names)) if i not in merged]
    shift = {old: new for new, old in enumerate(kept)}
    mapping: dict[int, int | None] = {
        old: shift[target] if old in merged else shift[old] for old in range(len(dataset.class_names))
    }
    remap_classes(world, dataset, mapping, [dataset.class_names[i] for i in kept])
    return merged, shift[target]


def delete_classes(world: World, dataset: Dataset, ids: Sequence[int]) -> tuple[list[int], int]:
    """Boxes of `ids` go with their classes; later ids shift down. The ids and how many boxes went."""
    gone = _check_ids(dataset, ids, "classIds")
    kept = [i for i in range(len(dataset.class_names)) if i not in gone]
    shift = {old: new for new, old in enumerate(kept)}
    mapping: dict[int, int | None] = {old: shift.get(old) for old in range(len(dataset.class_names))}
    dropped = remap_classes(world, dataset, mapping, [dataset.class_names[i] for i in kept])
    return gone, dropped


def redistribute_splits(world: World, dataset: Dataset, train: int, val: int, test: int) -> tuple[dict[str, int], int]:
    """Deal the images into splits by percentages totalling 100; the new counts and how many moved."""
    if min(train, val, test) < 0 or train + val + test != 100:
        raise ValidationError(
            "Split percentages must be between 0 and 100 and total 100", {"total": train + val + test}
        )
    n = len(dataset.images)
    n_train = round(n * train / 100)
    n_val = min(round(n * val / 100), n - n_train)
    order = list(range(n))
    random.Random(f"{world.seed}:{dataset.id}:{n}").shuffle(order)
    modified = 0
    for rank, index in enumerate(order):
        split = "train" if rank < n_train else "val" if rank < n_train + n_val else "test"
        image = dataset.images[index]
        if image.split != split:
            image.split = split  # type: ignore[assignment]
            modified += 1
    dataset.updated_at = world.now()
    counts: Counter[str] = Counter(i.split for i in dataset.images)
    return {s: counts[s] for s in SPLITS}, modified


def content_hash(world: World, image: DatasetImage) -> str:
    blob = world.blobs.get(image.blob_id)
    return blob.sha256 if blob is not None else image.blob_id


def copy_images(
    world: World,
    source: Dataset,
    target: Dataset,
    images: Sequence[DatasetImage],
    *,
    labels: bool,
    class_mapping: Mapping[str, int | str | None] | None = None,
    keep_split: bool = True,
) -> tuple[int, list[DatasetImage]]:
    """Copy images (their bytes are shared, not duplicated) into `target`, skipping content it has.
    With `labels`, boxes follow by class name: a mapping entry, else the same name, else a new class."""
    have = {content_hash(world, i) for i in target.images}
    names = {n: i for i, n in enumerate(target.class_names)}
    taken = {i.file for i in target.images}
    added: list[DatasetImage] = []
    for image in images:
        digest = content_hash(world, image)
        if digest in have:
            continue
        have.add(digest)
        boxes: list[list[float]] = []
        if labels:
            for box in _boxes(image):
                name = source.class_names[int(box[0])] if int(box[0]) < len(source.class_names) else str(int(box[0]))
                to = class_mapping.get(name, name) if class_mapping is not None else name
                if to is None:
                    continue
                if isinstance(to, int):
                    if not 0 <= to < len(target.class_names):
                        raise ValidationError(
                            f"classMapping: class {to} does not exist in the target", {"classMapping": name[:100]}
                        )
                    cls = to
                else:
                    if to not in names:
                        names[to] = len(target.class_names)
                        target.class_names.append(to)
                    cls = names[to]
                boxes.append([cls, *box[1:5]])
        file = image.file
        stem, dot, ext = file.rpartition(".")
        n = 1
        while file in taken:
            file, n = f"{stem or ext}-{n}{dot}{ext if stem else ''}", n + 1
        taken.add(file)
        copy = DatasetImage(
            file=file,
            blob_id=image.blob_id,
            width=image.width,
            height=image.height,
            split=image.split if keep_split else "train",
            annotations={"boxes": boxes} if labels else {},
            metadata=dict(image.metadata) if labels else {},
        )
        target.images.append(copy)
        added.append(copy)
    if added:
        target.updated_at = world.now()
    return len(added), added


def clone_dataset(
    world: World,
    datasets: Any,
    account: Account,
    source: Dataset,
    *,
    name: str,
    slug: str | None,
    description: str | None,
    visibility: str,
    images: Sequence[DatasetImage],
    class_names: list[str],
    labels: bool,
) -> Dataset:
    """A new dataset of `account` holding copies of `images` (a version's, or the live ones)."""
    copy: Dataset = datasets.create(
        account,
        name,
        source.task,
        source.description if description is None else description,
        class_names=list(class_names),
        visibility=visibility,
        slug=slug,
        tags=list(source.tags),
    )
    view = source.model_copy(update={"class_names": list(class_names)})
    copy_images(world, view, copy, images, labels=labels)
    return copy


# -- comparing versions ---------------------------------------------------------------------


@dataclass(frozen=True)
class ImageChange:
    hash: str
    name: str
    change: str  # added | removed | modified | moved
    fields: tuple[str, ...]
    labels_added: int
    labels_removed: int
    base: DatasetImage | None
    head: DatasetImage | None


@dataclass
class VersionDiff:
    changes: list[ImageChange] = field(default_factory=list)
    classes_added: list[str] = field(default_factory=list)
    classes_removed: list[str] = field(default_factory=list)
    classes_renamed: list[tuple[str, str]] = field(default_factory=list)

    def count(self, change: str) -> int:
        return sum(1 for c in self.changes if c.change == change)


def _label_set(version: DatasetVersion, image: DatasetImage) -> Counter[tuple[Any, ...]]:
    names = version.class_names
    return Counter(
        (names[int(b[0])] if int(b[0]) < len(names) else int(b[0]), *(round(float(v), 6) for v in b[1:5]))
        for b in _boxes(image)
    )


def compare_versions(world: World, base: DatasetVersion, head: DatasetVersion) -> VersionDiff:
    """What changed from `base` to `head`, image by image (matched by content), and in the classes."""
    diff = VersionDiff()
    for i in range(max(len(base.class_names), len(head.class_names))):
        old = base.class_names[i] if i < len(base.class_names) else None
        new = head.class_names[i] if i < len(head.class_names) else None
        if (
            old is not None
            and new is not None
            and old != new
            and new not in base.class_names
            and old not in head.class_names
        ):
            diff.classes_renamed.append((old, new))
    renamed_from = {a for a, _ in diff.classes_renamed}
    renamed_to = {b for _, b in diff.classes_renamed}
    diff.classes_added = [n for n in head.class_names if n not in base.class_names and n not in renamed_to]
    diff.classes_removed = [n for n in base.class_names if n not in head.class_names and n not in renamed_from]
    before = {content_hash(world, i): i for i in base.images}
    after = {content_hash(world, i): i for i in head.images}
    for digest in sorted(before.keys() | after.keys(), key=lambda d: (after.get(d) or before[d]).file):
        b, h = before.get(digest), after.get(digest)
        if b is None or h is None:
            image = h or b
            assert image is not None
            n = sum(_label_set(head if h else base, image).values())
            diff.changes.append(
                ImageChange(digest, image.file, "added" if h else "removed", (), n if h else 0, 0 if h else n, b, h)
            )
            continue
        lb, lh = _label_set(base, b), _label_set(head, h)
        fields = tuple(
            f
            for f, differs in (("labels", lb != lh), ("metadata", b.metadata != h.metadata), ("name", b.file != h.file))
            if differs
        )
        if fields:
            diff.changes.append(
                ImageChange(digest, h.file, "modified", fields, sum((lh - lb).values()), sum((lb - lh).values()), b, h)
            )
        elif b.split != h.split:
            diff.changes.append(ImageChange(digest, h.file, "moved", (), 0, 0, b, h))
    return diff
