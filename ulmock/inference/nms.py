"""Greedy non-maximum suppression over numpy arrays, per class.

Each step keeps the best remaining box and drops, in one vectorised pass, every
other box that overlaps it by more than the IoU threshold; the Python loop runs once
per kept box (at most `max_det` times), never once per pair.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.floating[Any]]

__all__ = ["batched_nms", "box_iou", "nms"]


def box_iou(box: Floats, others: Floats) -> Floats:
    """IoU of one xyxy box against `N×4` xyxy boxes."""
    top_left = np.maximum(box[:2], others[:, :2])
    bottom_right = np.minimum(box[2:], others[:, 2:])
    inter = np.prod(np.clip(bottom_right - top_left, 0, None), axis=1)
    area = np.prod(box[2:] - box[:2])
    areas = np.prod(others[:, 2:] - others[:, :2], axis=1)
    union = area + areas - inter
    result: Floats = np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0)
    return result


def nms(
    boxes: Floats,
    scores: Floats,
    iou_threshold: float,
    max_det: int = 300,
) -> npt.NDArray[np.intp]:
    """Indices of the boxes kept, best score first."""
    order = np.argsort(-scores, kind="stable")
    kept: list[int] = []
    while order.size and len(kept) < max_det:
        best = int(order[0])
        kept.append(best)
        rest = order[1:]
        order = rest[box_iou(boxes[best], boxes[rest]) <= iou_threshold]
    return np.array(kept, dtype=np.intp)


def batched_nms(
    boxes: Floats,
    scores: Floats,
    classes: npt.NDArray[np.int64],
    iou_threshold: float,
    max_det: int = 300,
) -> npt.NDArray[np.intp]:
    """NMS within each class only: shifting each class to its own far-apart region of
    the plane makes boxes of different classes never overlap, so one pass does all."""
    if boxes.size == 0:
        return np.zeros(0, dtype=np.intp)
    span = float(boxes.max() - boxes.min()) + 1.0
    # float64: float32 would blur coordinates once shifted by tens of thousands.
    shifted = boxes.astype(np.float64) + (classes.astype(np.float64) * span)[:, None]
    return nms(shifted, scores, iou_threshold, max_det)
