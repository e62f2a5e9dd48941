"""Real object detection for ulmock's predict endpoints.

    from ulmock.inference import InferenceEngine
    engine = InferenceEngine()                 # device from $ULMOCK_DEVICE, else cpu
    prediction = engine.predict(jpeg_bytes)    # or: await engine.predict_async(...)
    prediction.detections  # [{"class": "person", "confidence": 0.93, "box": {...}}, ...]

The bundled YOLOv3-tiny must be fetched once with `ulmock fetch-model`
(`python -m ulmock.inference.fetch`); see `fetch.py`.
"""

from ulmock.inference.bundle import ensure_bundled_model
from ulmock.inference.cache import bundled_model_path
from ulmock.inference.engine import BUNDLED_NETWORK, FETCH_COMMAND, InferenceEngine
from ulmock.inference.errors import (
    DeviceUnavailable,
    FetchError,
    ImageError,
    InferenceError,
    ModelError,
    ModelNotRunnable,
    ModelUnavailable,
    ParameterError,
)
from ulmock.inference.images import decode_image
from ulmock.inference.prediction import Prediction

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
