"""Errors raised by the inference runtime.

The hierarchy, so the HTTP layer can map whole branches at once::

    InferenceError
    ├── ImageError            the uploaded bytes are not a usable image (client's fault)
    ├── ParameterError        conf, iou or imgsz out of range (client's fault)
    ├── ModelError
    │   ├── ModelUnavailable  the bundled detector is not in the cache (operator's fault)
    │   └── ModelNotRunnable  a user's model file cannot be loaded or understood
    ├── DeviceUnavailable     the requested device has no execution provider here
    └── FetchError            fetching or converting the bundled detector failed
"""

from __future__ import annotations

__all__ = [
    "FETCH_COMMAND",
    "DeviceUnavailable",
    "FetchError",
    "ImageError",
    "InferenceError",
    "ModelError",
    "ModelNotRunnable",
    "ModelUnavailable",
    "ParameterError",
]

# What an operator runs to put the bundled model in the cache; the errors that need it name it.
FETCH_COMMAND = "ulmock fetch-model"


class InferenceError(Exception):
    """Base class of every error this package raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ImageError(InferenceError):
    """The request's image cannot be decoded or breaks a size limit.

    `field` names the request field at fault, so the HTTP layer can point at it
    in a validation envelope without knowing how the image arrived.
    """

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(message)
        self.field = field


class ParameterError(InferenceError):
    """A prediction parameter is out of range; `field` names it (`conf`, `iou`, `imgsz`)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class ModelError(InferenceError):
    """Something is wrong with the network that should answer."""


class ModelUnavailable(ModelError):
    """The bundled detector is missing or corrupt in the cache directory."""


class ModelNotRunnable(ModelError):
    """A model file exists but cannot be run as a detector."""


class DeviceUnavailable(InferenceError):
    """The requested device (for example `cuda`) has no onnxruntime provider."""


class FetchError(InferenceError):
    """Downloading, verifying or converting the bundled detector failed."""
