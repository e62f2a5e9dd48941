"""Real object detection for ulmock's predict endpoints.

    from ulmock.inference import InferenceEngine
    engine = InferenceEngine()                 # device from $ULMOCK_DEVICE, else cpu
    prediction = engine.predict(jpeg_bytes)    # or: await engine.predict_async(...)
    prediction.detections  # [{"class": "person", "confidence": 0.93, "box": {...}}, ...]

The bundled YOLOv3-tiny must be fetched once with `ulmock fetch-model`
(`python -m ulmock.inference.fetch`); see `fetch.py`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Imported on first use: numpy, onnx and onnxruntime take most of a second to load,
# and a world that never predicts (most tests) should not pay for them. The errors
# are cheap and are what the HTTP layer names up front.
from ulmock.inference.errors import (
    FETCH_COMMAND,
    DeviceUnavailable,
    FetchError,
    ImageError,
    InferenceError,
    ModelError,
    ModelNotRunnable,
    ModelUnavailable,
    ParameterError,
)

if TYPE_CHECKING:
    from ulmock.inference.bundle import ensure_bundled_model
    from ulmock.inference.disk_cache import bundled_model_path
    from ulmock.inference.engine import BUNDLED_NETWORK, InferenceEngine
    from ulmock.inference.images import decode_image
    from ulmock.inference.prediction import Prediction

_LAZY = {
    "ensure_bundled_model": "ulmock.inference.bundle",
    "bundled_model_path": "ulmock.inference.disk_cache",
    "BUNDLED_NETWORK": "ulmock.inference.engine",
    "InferenceEngine": "ulmock.inference.engine",
    "decode_image": "ulmock.inference.images",
    "Prediction": "ulmock.inference.prediction",
}

__all__ = [
    "BUNDLED_NETWORK",
    "FETCH_COMMAND",
    "DeviceUnavailable",
    "FetchError",
    "ImageError",
    "InferenceEngine",
    "InferenceError",
    "ModelError",
    "ModelNotRunnable",
    "ModelUnavailable",
    "ParameterError",
    "Prediction",
    "bundled_model_path",
    "decode_image",
    "ensure_bundled_model",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ulmock.inference' has no attribute {name!r}")
