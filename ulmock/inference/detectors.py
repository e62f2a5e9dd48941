"""The networks that can answer a predict call, behind one small protocol.

* `OnnxDetector` runs any Ultralytics detect export (and the bundled detector, which
  is converted to look like one) with onnxruntime.
* `UltralyticsDetector` runs a `.pt` checkpoint through the `ultralytics` package,
  when that optional dependency is installed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from ulmock.inference.errors import ModelNotRunnable
from ulmock.inference.letterbox import letterbox
from ulmock.inference.metadata import ModelMetadata
from ulmock.inference.nms import batched_nms
from ulmock.inference.outputs import Candidates, Layout, decode_output, infer_layout

__all__ = ["Detections", "Detector", "OnnxDetector", "UltralyticsDetector", "network_input_size"]

DEFAULT_IMGSZ = 640
MAX_STRIDE = 32
MAX_DET = 300


@dataclass(frozen=True)
class Detections:
    """Final boxes in original-image pixels (xyxy), best first, with the class names."""

    boxes: npt.NDArray[np.float32]
    scores: npt.NDArray[np.float32]
    classes: npt.NDArray[np.int64]
    names: Mapping[int, str]
    timings_ms: dict[str, float] = field(default_factory=dict)

    def name_of(self, class_id: int) -> str:
        return self.names.get(class_id, f"class{class_id}")


class Detector(Protocol):
    network: str

    def detect(self, image: npt.NDArray[np.uint8], conf: float, iou: float, imgsz: int | None) -> Detections: ...


def network_input_size(requested: int) -> int:
    """Round an `imgsz` up to the stride, as Ultralytics does (it warns; we comply)."""
    return max(MAX_STRIDE, -(-requested // MAX_STRIDE) * MAX_STRIDE)


class OnnxDetector:
    """An Ultralytics-layout detect model in one onnxruntime session (thread-safe)."""

    def __init__(
        self,
        path: Path,
        network: str,
        providers: list[Any],
    ) -> None:
        self.network = network
        options = ort.SessionOptions()
        options.log_severity_level = 3  # errors only: shape warnings would flood the log
        # Idle worker threads would otherwise spin on the cores the event loop and the
        # other requests need; a server runs inference between other work.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._session = ort.InferenceSession(str(path), options, providers=providers)
        except Exception as error:  # onnxruntime raises its own, unexported exception types
            raise ModelNotRunnable(f"{path.name} cannot be loaded by onnxruntime: {error}") from error

        props = self._session.get_modelmeta().custom_metadata_map
        self.metadata = ModelMetadata.from_props(props)
        model_input = self._session.get_inputs()[0]
        if len(model_input.shape) != 4:
            raise ModelNotRunnable(f"{path.name} takes {model_input.shape}, not an image batch")
        self._input_name = model_input.name
        self._input_dtype = np.float16 if model_input.type == "tensor(float16)" else np.float32
        height, width = model_input.shape[2], model_input.shape[3]
        self._fixed_size = (height, width) if isinstance(height, int) and isinstance(width, int) else None
        self._default_size = self.metadata.imgsz or (DEFAULT_IMGSZ, DEFAULT_IMGSZ)
        self._output_name = self._session.get_outputs()[0].name
        names = self.metadata.names
        self._num_classes = len(names) if names else None
        self._names: Mapping[int, str] = names or {}

    def input_size(self, imgsz: int | None) -> tuple[int, int]:
        """A fixed input shape wins; else the caller's `imgsz`; else the metadata's."""
        if self._fixed_size is not None:
            return self._fixed_size
        if imgsz is not None:
            side = network_input_size(imgsz)
            return side, side
        return self._default_size

    def detect(self, image: npt.NDArray[np.uint8], conf: float, iou: float, imgsz: int | None) -> Detections:
        started = time.perf_counter()
        tensor, placement = letterbox(image, self.input_size(imgsz))
        prepared = time.perf_counter()
        try:
            (output,) = self._session.run(
                [self._output_name],
                {self._input_name: tensor.astype(self._input_dtype, copy=False)},
            )
        except Exception as error:  # a shape mismatch inside the graph, for example
            raise ModelNotRunnable(f"{self.network} failed to run: {error}") from error
        ran = time.perf_counter()

        layout = infer_layout(tuple(output.shape), self._num_classes, self.metadata.end_to_end)
        num_classes = self._num_classes or output.shape[1] - 4
        candidates = decode_output(output, layout, num_classes, conf)
        if layout is Layout.CHANNELS_FIRST:
            candidates = candidates.take(
                batched_nms(candidates.boxes, candidates.scores, candidates.classes, iou, MAX_DET)
            )
        else:
            candidates = candidates.take(np.argsort(-candidates.scores, kind="stable")[:MAX_DET])
        found = _visible(candidates.with_boxes(placement.to_original(candidates.boxes)))
        finished = time.perf_counter()
        timings = {
            "preprocess": (prepared - started) * 1000,
            "inference": (ran - prepared) * 1000,
            "postprocess": (finished - ran) * 1000,
        }
        return Detections(found.boxes, found.scores, found.classes, self._names, timings)


def _visible(candidates: Candidates) -> Candidates:
    """Drop boxes that clipping flattened: they lay wholly in the padding, showing nothing."""
    boxes = candidates.boxes
    return candidates.take(np.flatnonzero((boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])))


class UltralyticsDetector:
    """A `.pt` checkpoint run by the `ultralytics` package (imported only when needed)."""

    def __init__(self, path: Path, network: str, device: str) -> None:
        from ultralytics import YOLO  # optional, heavy (torch): imported on first use

        self.network = network
        self._device = device
        self._model = YOLO(str(path))
        # Ultralytics keeps per-call state on its predictor: one call at a time.
        self._lock = threading.Lock()

    def detect(self, image: npt.NDArray[np.uint8], conf: float, iou: float, imgsz: int | None) -> Detections:
        options: dict[str, Any] = {
            "conf": conf,
            "iou": iou,
            "device": self._device,
            "verbose": False,
        }
        if imgsz is not None:
            options["imgsz"] = network_input_size(imgsz)
        bgr = np.ascontiguousarray(image[:, :, ::-1])  # Ultralytics reads arrays as OpenCV BGR
        with self._lock:
            result = self._model.predict(bgr, **options)[0]
        boxes = result.boxes
        return Detections(
            np.asarray(boxes.xyxy.cpu().numpy(), dtype=np.float32).reshape(-1, 4),
            np.asarray(boxes.conf.cpu().numpy(), dtype=np.float32).reshape(-1),
            np.asarray(boxes.cls.cpu().numpy()).astype(np.int64).reshape(-1),
            {int(k): str(v) for k, v in result.names.items()},
            {stage: float(ms) for stage, ms in (result.speed or {}).items()},
        )
