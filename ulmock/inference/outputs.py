"""A network's raw detect output to candidate boxes above a confidence threshold.

(Decoding the uploaded image itself is `images.decode_image`.)

Two layouts exist in the wild:

* `[1, 4 + nc, N]`: YOLOv8/YOLO11 (and the bundled detector): cx, cy, w, h, then one
  score per class; no objectness. Needs NMS afterwards.
* `[1, N, 6]`: NMS-free end-to-end exports (YOLOv10, YOLO26): x1, y1, x2, y2, score,
  class. Already final.

Segmentation heads append mask coefficients after those columns; they are ignored,
so a segment export still answers with its boxes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ulmock.inference.errors import ModelNotRunnable

__all__ = ["Candidates", "Layout", "decode_output", "infer_layout"]


class Layout(enum.Enum):
    CHANNELS_FIRST = "[1, 4+nc, N]"
    END_TO_END = "[1, N, 6]"


@dataclass(frozen=True)
class Candidates:
    """Boxes (xyxy, network-input pixels), their scores and class ids."""

    boxes: npt.NDArray[np.float32]
    scores: npt.NDArray[np.float32]
    classes: npt.NDArray[np.int64]

    def take(self, index: npt.NDArray[np.intp]) -> Candidates:
        return Candidates(self.boxes[index], self.scores[index], self.classes[index])

    def with_boxes(self, boxes: npt.NDArray[np.float32]) -> Candidates:
        return Candidates(boxes, self.scores, self.classes)

    def __len__(self) -> int:
        return int(self.scores.size)


def infer_layout(shape: tuple[int, ...], num_classes: int | None, end_to_end: bool | None) -> Layout:
    """Tell the layout from a concrete output shape and what the metadata says.

    The checks run in this order because shapes alone can be ambiguous: with two
    classes `[1, 6, N]` is channels-first while `[1, 300, 6]` is end-to-end.
    """
    if len(shape) != 3 or shape[0] != 1:
        raise ModelNotRunnable(f"output shape {list(shape)} is not a detection output")
    channels, rows = shape[1], shape[2]
    if end_to_end:
        if rows >= 6:
            return Layout.END_TO_END
    elif num_classes is not None and channels == 4 + num_classes:
        return Layout.CHANNELS_FIRST
    elif rows == 6:
        return Layout.END_TO_END
    elif channels > 4 + (num_classes or 0):  # extra columns: mask coefficients
        return Layout.CHANNELS_FIRST
    raise ModelNotRunnable(
        f"output shape {list(shape)} matches neither [1, 4+nc, N] nor [1, N, 6]"
        + (f" for {num_classes} classes" if num_classes is not None else "")
    )


def decode_output(output: npt.NDArray[np.floating], layout: Layout, num_classes: int, conf: float) -> Candidates:
    """Candidates scoring above `conf` (strictly, as Ultralytics filters)."""
    rows = np.asarray(output[0], dtype=np.float32)
    if layout is Layout.END_TO_END:
        keep = rows[:, 4] > conf
        kept = rows[keep]
        return Candidates(np.ascontiguousarray(kept[:, :4]), kept[:, 4].copy(), kept[:, 5].astype(np.int64))

    class_scores = rows[4 : 4 + num_classes]
    best = class_scores.argmax(axis=0)
    scores = np.take_along_axis(class_scores, best[None], axis=0)[0]
    keep = scores > conf
    centre, size = rows[0:2, keep].T, rows[2:4, keep].T
    boxes = np.concatenate([centre - size / 2, centre + size / 2], axis=1)
    return Candidates(boxes.astype(np.float32), scores[keep], best[keep].astype(np.int64))
