"""One dataset's images, changed one or many at a time: labels, metadata, split, removal.

Boxes are stored as YOLO rows `[class, cx, cy, w, h]` (normalised), the format the
fixtures, ingest and exports share. Every change bumps the dataset's `updated_at`, so
versions and statistics (computed from the images) see it at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ulmock.domain.entities import Dataset, DatasetImage
from ulmock.domain.errors import Conflict, ValidationError
from ulmock.domain.world import World

BULK_MAX = 1000
SPLITS = ("train", "val", "test")
POLICIES = ("skip", "keep_both", "replace")


def check_boxes(dataset: Dataset, boxes: Sequence[Sequence[float]]) -> list[list[float]]:
    """YOLO rows, each of a class the dataset has and a box inside the image (400 otherwise)."""
    out: list[list[float]] = []
    for n, box in enumerate(boxes):
        if len(box) != 5:
            raise ValidationError(f"Invalid labels: label {n} needs a class and a box of 4 numbers", {"labels": n})
        cls, *xywh = box
        if int(cls) != cls or not 0 <= int(cls) < len(dataset.class_names):
            raise ValidationError(
                f"Invalid labels: label {n} has class {cls}, the dataset has {len(dataset.class_names)} classes",
                {"labels": n},
            )
        cx, cy, w, h = (float(v) for v in xywh)
        if not (0 <= cx <= 1 and 0 <= cy <= 1 and 0 < w <= 1 and 0 < h <= 1):
            raise ValidationError(f"Invalid labels: label {n} has a box outside [0, 1]", {"labels": n})
        out.append([int(cls), round(cx, 6), round(cy, 6), round(w, 6), round(h, 6)])
    return out


def same_content(world: World, a: DatasetImage, b: DatasetImage) -> bool:
    if a.blob_id == b.blob_id:
        return True
    ba, bb = world.blobs.get(a.blob_id), world.blobs.get(b.blob_id)
    return ba is not None and bb is not None and ba.sha256 == bb.sha256


class DatasetImages:
    def __init__(self, world: World):
        self.world = world

    def _touch(self, dataset: Dataset) -> None:
        dataset.updated_at = self.world.now()

    def set_labels(self, dataset: Dataset, image: DatasetImage, boxes: Sequence[Sequence[float]]) -> list[list[float]]:
        checked = check_boxes(dataset, boxes)
        image.annotations = {**image.annotations, "boxes": checked}
        self._touch(dataset)
        return checked

    def set_metadata(self, dataset: Dataset, image: DatasetImage, metadata: dict[str, Any]) -> None:
        image.metadata = dict(metadata)
        self._touch(dataset)

    def remove(self, dataset: Dataset, images: Sequence[DatasetImage]) -> int:
        if len(images) > BULK_MAX:
            raise ValidationError(f"At most {BULK_MAX} images per batch", {"imageIds": len(images)})
        gone = {id(i) for i in images}
        before = len(dataset.images)
        dataset.images = [i for i in dataset.images if id(i) not in gone]
        self._touch(dataset)
        return before - len(dataset.images)

    def move(self, dataset: Dataset, images: Sequence[DatasetImage], split: str, policy: str | None) -> tuple[int, int]:
        """Move images to `split`; (moved, skipped). The same content already in that split
        is a conflict: refused without a policy, else skipped, kept twice, or replaced."""
        if len(images) > BULK_MAX:
            raise ValidationError(f"At most {BULK_MAX} images per batch", {"imageIds": len(images)})
        if split not in SPLITS:
            raise ValidationError("split must be train, val or test", {"split": split})
        moving = [i for i in images if i.split != split]
        already = [i for i in dataset.images if i.split == split]
        conflicts = {id(i): [o for o in already if same_content(self.world, i, o)] for i in moving}
        conflicting = [i for i in moving if conflicts[id(i)]]
        if conflicting and policy is None:
            raise Conflict(
                f"{len(conflicting)} images are already in {split} with the same content: "
                "choose a conflictPolicy (skip, keep_both, replace)",
                {"conflicts": len(conflicting)},
            )
        moved = skipped = 0
        replaced: set[int] = set()
        for image in moving:
            if conflicts[id(image)] and policy == "skip":
                skipped += 1
                continue
            if conflicts[id(image)] and policy == "replace":
                replaced.update(id(o) for o in conflicts[id(image)])
            image.split = split  # type: ignore[assignment]
            moved += 1
        if replaced:
            dataset.images = [i for i in dataset.images if id(i) not in replaced]
        self._touch(dataset)
        return moved, skipped + len(images) - len(moving)
