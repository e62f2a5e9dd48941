"""The answer to one predict call, already in the platform API's detection shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ulmock.inference.detectors import Detections

__all__ = ["CONFIDENCE_DECIMALS", "COORDINATE_DECIMALS", "Prediction", "api_detections"]

CONFIDENCE_DECIMALS = 4
COORDINATE_DECIMALS = 2


@dataclass(frozen=True)
class Prediction:
    """What a network found in one image.

    `detections` are API-shaped dicts, best first, boxes in the original image's
    pixels (after EXIF orientation). `network` names who answered (for a response
    header): `bundled/yolov3-tiny`, `onnx/<file>` or `ultralytics/<file>`.
    `inference_ms` is the whole call, decoding the image included; `speed_ms` splits
    it into decode, preprocess, inference and postprocess.
    """

    detections: list[dict[str, Any]]
    network: str
    image_size: tuple[int, int]  # width, height
    inference_ms: float
    speed_ms: dict[str, float] = field(default_factory=dict)
    # The network's class id of each detection (same order), and every class it knows.
    class_ids: list[int] = field(default_factory=list)
    class_names: dict[int, str] = field(default_factory=dict)


def class_ids(found: Detections) -> list[int]:
    """The class id of each detection, in `api_detections`' order."""
    order = np.argsort(-found.scores, kind="stable")
    return [int(c) for c in found.classes[order].tolist()]


def api_detections(found: Detections) -> list[dict[str, Any]]:
    """`{"class", "confidence", "box": {x1, y1, x2, y2}}` dicts, by confidence descending."""
    order = np.argsort(-found.scores, kind="stable")
    boxes = np.round(found.boxes[order].astype(np.float64), COORDINATE_DECIMALS).tolist()
    scores = np.round(found.scores[order].astype(np.float64), CONFIDENCE_DECIMALS).tolist()
    classes = found.classes[order].tolist()
    return [
        {
            "class": found.name_of(class_id),
            "confidence": score,
            "box": {"x1": box[0], "y1": box[1], "x2": box[2], "y2": box[3]},
        }
        for class_id, score, box in zip(classes, scores, boxes, strict=True)
    ]
