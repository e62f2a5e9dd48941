"""Loading YOLO-format datasets from `fixtures/` into a world.

A fixture dataset is a folder: `data.yaml` (`names`, optional `splits`), `images/`, and
`labels/` with one `cls cx cy w h` line per box. What is read from disk is cached per
process, so building a world for each test costs almost nothing.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

from ulmock.bundled import fixtures_root
from ulmock.domain.backend import Platform
from ulmock.domain.entities import Account, Dataset, DatasetImage
from ulmock.domain.media import IMAGE_SUFFIXES, image_media_type


@dataclass(frozen=True)
class FixtureImage:
    path: Path
    sha256: str
    size: int
    width: int
    height: int
    split: str
    boxes: tuple[tuple[float, ...], ...]
    """`(class, cx, cy, w, h)` as a dataset stores them (fractions to 6 places)."""

    def annotations(self) -> dict[str, Any]:
        """The image's labels in a dataset: a fresh copy for each world, which may edit them."""
        return {"boxes": [list(box) for box in self.boxes]}


@dataclass(frozen=True)
class FixtureDataset:
    root: Path
    class_names: tuple[str, ...]
    images: tuple[FixtureImage, ...]


# Keyed on the path as given, resolved only when first read: resolving (an lstat per
# component) on every world built was a fifth of the fixture's reset.
@functools.lru_cache(maxsize=32)
def read_fixture_dataset(root: Path) -> FixtureDataset:
    root = root.resolve()
    meta: dict[str, Any] = yaml.safe_load((root / "data.yaml").read_text()) or {}
    names = meta.get("names", [])
    class_names = tuple(names[k] for k in sorted(names)) if isinstance(names, dict) else tuple(names)
    splits: dict[str, str] = {}
    for split, files in (meta.get("splits") or {}).items():
        for f in files:
            splits[f] = split
    images = []
    files = sorted(p for p in (root / "images").iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    for n, path in enumerate(files):
        with Image.open(path) as im:
            width, height = im.size
        label = root / "labels" / (path.stem + ".txt")
        boxes = tuple(
            (int(parts[0]), *(round(float(v), 6) for v in parts[1:5]))
            for parts in (line.split() for line in (label.read_text().splitlines() if label.exists() else []))
            if len(parts) >= 5
        )
        # Without an explicit split, every fifth image validates.
        split = splits.get(path.name, "val" if n % 5 == 4 else "train")
        data = path.read_bytes()
        images.append(FixtureImage(path, hashlib.sha256(data).hexdigest(), len(data), width, height, split, boxes))
    return FixtureDataset(root, class_names, tuple(images))


def add_fixture_dataset(
    platform: Platform,
    account: Account,
    folder: str | Path,
    name: str,
    *,
    task: str = "detect",
    description: str = "",
    visibility: str = "private",
) -> Dataset:
    root = Path(folder)
    if not root.is_absolute():
        root = fixtures_root() / "datasets" / root
    fixture = read_fixture_dataset(root)
    dataset = platform.datasets.create(
        account, name, task, description, class_names=list(fixture.class_names), visibility=visibility, quiet=True
    )
    for image in fixture.images:
        blob = platform.world.blobs.put_file(image.path, image_media_type(image.path.name), image.sha256, image.size)
        dataset.images.append(
            DatasetImage(
                file=image.path.name,
                blob_id=blob.id,
                width=image.width,
                height=image.height,
                split=image.split,
                annotations=image.annotations(),
            )
        )
    return dataset
