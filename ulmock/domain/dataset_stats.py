"""Statistics of a dataset, computed from its images and their boxes (nothing cached, nothing made up)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ulmock.domain.entities import Dataset
from ulmock.domain.world import World

GRID = 10  # heatmaps are GRID x GRID


@dataclass(frozen=True)
class Bin:
    start: float
    count: int


@dataclass(frozen=True)
class ClassCount:
    class_id: int
    boxes: int
    images: int


@dataclass(frozen=True)
class DatasetStats:
    classes: list[ClassCount]
    widths: list[Bin]
    heights: list[Bin]
    file_sizes: list[Bin]
    objects_per_image: list[Bin]
    box_widths: list[Bin]  # pixels
    box_heights: list[Bin]
    box_widths_norm: list[Bin]  # fractions of the image
    box_heights_norm: list[Bin]
    formats: dict[str, int]
    location_heatmap: list[list[int]]  # box centres, rows = y
    dimension_heatmap: list[list[int]]  # box sizes, rows = height, columns = width
    box_width_range: tuple[float, float]
    box_height_range: tuple[float, float]


def histogram(values: list[float], bins: int = GRID) -> list[Bin]:
    if not values:
        return []
    low, high = min(values), max(values)
    if high == low:
        return [Bin(low, len(values))]
    step = (high - low) / bins
    counts = Counter(min(int((v - low) / step), bins - 1) for v in values)
    return [Bin(round(low + i * step, 6), counts.get(i, 0)) for i in range(bins)]


def _grid() -> list[list[int]]:
    return [[0] * GRID for _ in range(GRID)]


def _cell(fraction: float) -> int:
    return min(max(int(fraction * GRID), 0), GRID - 1)


def dataset_stats(world: World, dataset: Dataset) -> DatasetStats:
    boxes_of: Counter[int] = Counter()
    images_of: Counter[int] = Counter()
    per_image: list[float] = []
    bw: list[float] = []
    bh: list[float] = []
    bwn: list[float] = []
    bhn: list[float] = []
    location = _grid()
    dimension = _grid()
    for image in dataset.images:
        boxes = image.annotations.get("boxes", [])
        per_image.append(len(boxes))
        for cls in {int(b[0]) for b in boxes}:
            images_of[cls] += 1
        for cls, cx, cy, w, h in (b[:5] for b in boxes if len(b) >= 5):
            boxes_of[int(cls)] += 1
            bwn.append(w)
            bhn.append(h)
            bw.append(w * image.width)
            bh.append(h * image.height)
            location[_cell(cy)][_cell(cx)] += 1
            dimension[_cell(h)][_cell(w)] += 1
    sizes = [float(world.blobs.blobs[i.blob_id].size) for i in dataset.images if i.blob_id in world.blobs.blobs]
    formats = Counter(i.file.rsplit(".", 1)[-1].lower() for i in dataset.images if "." in i.file)
    return DatasetStats(
        classes=[ClassCount(c, boxes_of[c], images_of[c]) for c in range(len(dataset.class_names))],
        widths=histogram([float(i.width) for i in dataset.images]),
        heights=histogram([float(i.height) for i in dataset.images]),
        file_sizes=histogram(sizes),
        objects_per_image=histogram(per_image),
        box_widths=histogram(bw),
        box_heights=histogram(bh),
        box_widths_norm=histogram(bwn),
        box_heights_norm=histogram(bhn),
        formats=dict(formats),
        location_heatmap=location,
        dimension_heatmap=dimension,
        box_width_range=(min(bw, default=0.0), max(bw, default=0.0)),
        box_height_range=(min(bh, default=0.0), max(bh, default=0.0)),
    )
