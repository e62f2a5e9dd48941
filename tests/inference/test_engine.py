"""The engine: which network answers, users' ONNX exports, errors, concurrency."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from PIL import Image

from ulmock.inference import (
    DeviceUnavailable,
    ImageError,
    InferenceEngine,
    ModelNotRunnable,
    ModelUnavailable,
    ParameterError,
)

from .onnx_models import channels_first, constant_detector

WIDGETS = {0: "widget", 1: "gadget"}
# Candidates on a 64×64 canvas: a widget, the same widget again a little weaker (NMS
# drops it), a gadget, and a gadget below the default conf.
CANDIDATES = channels_first(
    [
        [32, 32, 20, 10, 0.90, 0.10],
        [32.5, 32, 20, 10, 0.85, 0.00],
        [16, 24, 8, 8, 0.05, 0.60],
        [50, 50, 4, 4, 0.00, 0.20],
    ]
)


def png(width: int, height: int, colour: tuple[int, int, int] = (90, 120, 150)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def boxes(detections: list[dict]) -> list[tuple[str, float, list[float]]]:
    return [(d["class"], d["confidence"], list(d["box"].values())) for d in detections]


# --- A user's Ultralytics export answers as itself -------------------------------------


def test_ultralytics_layout_onnx_answers_with_its_own_names(engine: InferenceEngine, tmp_path: Path) -> None:
    model = constant_detector(tmp_path / "custom.onnx", CANDIDATES, names=WIDGETS)
    # A 128×64 image on the 64×64 canvas: scale 0.5, 16 grey rows above and below.
    prediction = engine.predict(png(128, 64), model_file=model)
    assert prediction.network == "onnx/custom.onnx"
    assert boxes(prediction.detections) == [
        ("widget", 0.9, [44.0, 22.0, 84.0, 42.0]),
        ("gadget", 0.6, [24.0, 8.0, 40.0, 24.0]),
    ]


def test_a_fixed_input_shape_wins_over_the_requested_imgsz(engine: InferenceEngine, tmp_path: Path) -> None:
    model = constant_detector(tmp_path / "fixed.onnx", CANDIDATES, names=WIDGETS)
    assert engine.predict(png(128, 64), model, imgsz=640).detections == engine.predict(png(128, 64), model).detections


def test_a_dynamic_input_uses_imgsz_then_the_metadata(engine: InferenceEngine, tmp_path: Path) -> None:
    model = constant_detector(
        tmp_path / "dynamic.onnx",
        CANDIDATES,
        names=WIDGETS,
        input_shape=(1, 3, "height", "width"),
        metadata={"imgsz": "[96, 96]"},
    )
    # Metadata 96: scale 0.75, 24 rows above; the widget (22..42, 27..37) maps to:
    from_metadata = engine.predict(png(128, 64), model).detections[0]["box"]
    assert list(from_metadata.values()) == [29.33, 4.0, 56.0, 17.33]
    # Asking for 64 uses 64 (scale 0.5, 16 rows above), as in the fixed-size model.
    assert list(engine.predict(png(128, 64), model, imgsz=64).detections[0]["box"].values()) == [
        44.0,
        22.0,
        84.0,
        42.0,
    ]


def test_conf_and_iou_apply_to_user_models(engine: InferenceEngine, tmp_path: Path) -> None:
    model = constant_detector(tmp_path / "custom.onnx", CANDIDATES, names=WIDGETS)
    assert [d["class"] for d in engine.predict(png(64, 64), model, conf=0.1).detections] == [
        "widget",
        "gadget",
        "gadget",
    ]
    assert [d["confidence"] for d in engine.predict(png(64, 64), model, iou=0.99).detections] == [
        0.9,
        0.85,
        0.6,
    ]


def test_end_to_end_layout_is_used_without_nms(engine: InferenceEngine, tmp_path: Path) -> None:
    rows = np.array([[[22, 27, 42, 37, 0.9, 1], [23, 27, 43, 37, 0.8, 1], [0, 0, 5, 5, 0.1, 0]]], np.float32)
    model = constant_detector(tmp_path / "yolo26n.onnx", rows, names=WIDGETS, metadata={"end2end": "True"})
    assert boxes(engine.predict(png(128, 64), model).detections) == [
        ("gadget", 0.9, [44.0, 22.0, 84.0, 42.0]),
        ("gadget", 0.8, [46.0, 22.0, 86.0, 42.0]),  # overlapping, yet kept: the model chose
    ]


def test_an_export_without_names_gets_numbered_classes(engine: InferenceEngine, tmp_path: Path) -> None:
    model = constant_detector(tmp_path / "anonymous.onnx", CANDIDATES)
    assert [d["class"] for d in engine.predict(png(64, 64), model).detections] == [
        "class0",
        "class1",
    ]


def test_a_changed_model_file_is_reloaded(engine: InferenceEngine, tmp_path: Path) -> None:
    path = constant_detector(tmp_path / "evolving.onnx", CANDIDATES, names=WIDGETS)
    assert engine.predict(png(64, 64), path).detections[0]["class"] == "widget"
    constant_detector(path, CANDIDATES, names={0: "sprocket", 1: "gadget"})
    later = time.time() + 5
    os.utime(path, (later, later))  # make sure the change is visible on coarse clocks
    assert engine.predict(png(64, 64), path).detections[0]["class"] == "sprocket"


def test_a_model_file_is_loaded_once(bundled_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[str] = []
    real = ort.InferenceSession

    def counting(path: str, *args: object, **kwargs: object) -> ort.InferenceSession:
        loads.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(ort, "InferenceSession", counting)
    model = constant_detector(tmp_path / "custom.onnx", CANDIDATES, names=WIDGETS)
    with InferenceEngine(cache_dir=bundled_model.parent) as engine:
        for _ in range(3):
            engine.predict(png(64, 64), model)
            engine.predict(png(64, 64))
    assert sorted(loads) == ["custom.onnx", "yolov3-tiny.onnx"]


# --- When the bundled model answers instead -----------------------------------------------


@pytest.mark.parametrize("model_file", [None, "missing.onnx", "model.engine", "placeholder.pt"])
def test_bundled_model_answers_when_the_model_cannot_run_here(
    engine: InferenceEngine,
    photo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    model_file: str | None,
) -> None:
    monkeypatch.setitem(sys.modules, "ultralytics", None)  # as on a machine without it
    if model_file in ("model.engine", "placeholder.pt"):
        (tmp_path / model_file).write_bytes(b"emulated checkpoint")
    path = None if model_file is None else tmp_path / model_file
    prediction = engine.predict(photo("person"), model_file=path)
    assert prediction.network == "bundled/yolov3-tiny"
    assert prediction.detections[0]["class"] == "person"


class FakeResults:
    """Just enough of ultralytics' Results for the engine."""

    def __init__(self, xyxy: list[list[float]], conf: list[float], cls: list[float]) -> None:
        def tensor(values: list) -> types.SimpleNamespace:
            return types.SimpleNamespace(cpu=lambda: types.SimpleNamespace(numpy=lambda: np.array(values)))

        self.boxes = types.SimpleNamespace(xyxy=tensor(xyxy), conf=tensor(conf), cls=tensor(cls))
        self.names = {0: "hotdog", 1: "not hotdog"}
        self.speed = {"preprocess": 1.0, "inference": 2.0, "postprocess": 0.5}


def fake_ultralytics(calls: list[dict]) -> types.ModuleType:
    class YOLO:
        def __init__(self, path: str) -> None:
            if Path(path).read_bytes() != b"real weights":
                raise RuntimeError("invalid load key, 'e'")  # what torch says of a placeholder

        def predict(self, source: np.ndarray, **options: object) -> list[FakeResults]:
            calls.append({"pixel": source[0, 0].tolist()} | options)
            return [FakeResults([[1.0, 2.0, 30.0, 40.0]], [0.87654], [1.0])]

    module = types.ModuleType("ultralytics")
    module.YOLO = YOLO  # type: ignore[attr-defined]
    return module


def test_a_pt_checkpoint_runs_through_ultralytics_when_installed(
    engine: InferenceEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict] = []
    monkeypatch.setitem(sys.modules, "ultralytics", fake_ultralytics(calls))
    (tmp_path / "best.pt").write_bytes(b"real weights")
    prediction = engine.predict(png(64, 64, (255, 0, 0)), tmp_path / "best.pt", conf=0.3, imgsz=320)
    assert prediction.network == "ultralytics/best.pt"
    assert prediction.detections == [
        {
            "class": "not hotdog",
            "confidence": 0.8765,
            "box": {"x1": 1.0, "y1": 2.0, "x2": 30.0, "y2": 40.0},
        }
    ]
    # Ultralytics takes numpy images as OpenCV's BGR.
    assert calls == [
        {
            "pixel": [0, 0, 255],
            "conf": 0.3,
            "iou": 0.7,
            "device": "cpu",
            "verbose": False,
            "imgsz": 320,
        }
    ]


def test_a_placeholder_pt_falls_back_even_with_ultralytics(
    engine: InferenceEngine, photo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ultralytics", fake_ultralytics([]))
    (tmp_path / "emulated.pt").write_bytes(b"emulated checkpoint")
    assert engine.predict(photo("person"), tmp_path / "emulated.pt").network == "bundled/yolov3-tiny"


# --- Errors ---------------------------------------------------------------------------


def test_a_broken_onnx_is_not_runnable_and_says_why(engine: InferenceEngine, tmp_path: Path) -> None:
    (tmp_path / "broken.onnx").write_bytes(b"\x08\x07 this is not protobuf")
    for _ in range(2):  # remembered, and raised again each time
        with pytest.raises(ModelNotRunnable, match=r"broken.onnx cannot be loaded by onnxruntime"):
            engine.predict(png(64, 64), tmp_path / "broken.onnx")


def test_a_non_detection_onnx_is_not_runnable(engine: InferenceEngine, tmp_path: Path) -> None:
    classifier = constant_detector(
        tmp_path / "cls.onnx", np.zeros((1, 1000), np.float32), metadata={"task": "classify"}
    )
    with pytest.raises(ModelNotRunnable, match="not a detection output"):
        engine.predict(png(64, 64), classifier)


def test_missing_bundled_model_says_which_command_fixes_it(
    tmp_path: Path, photo, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_downloads(*args: object, **kwargs: object) -> None:
        raise AssertionError("predict must never download")

    monkeypatch.setattr(subprocess, "run", no_downloads)
    monkeypatch.setenv("ULMOCK_CACHE_DIR", str(tmp_path))
    with InferenceEngine() as engine:
        assert engine.bundled_model_path == tmp_path / "yolov3-tiny.onnx"
        with pytest.raises(ModelUnavailable, match="run `ulmock fetch-model`"):
            engine.predict(photo("person"))
    assert list(tmp_path.iterdir()) == []


def test_corrupt_bundled_model_asks_for_a_forced_fetch(tmp_path: Path, photo) -> None:
    (tmp_path / "yolov3-tiny.onnx").write_bytes(b"half a model")
    (tmp_path / "yolov3-tiny.onnx.sha256").write_text("0" * 64 + "  yolov3-tiny.onnx\n")
    with (
        InferenceEngine(cache_dir=tmp_path) as engine,
        pytest.raises(ModelUnavailable, match="fails its checksum; run `ulmock fetch-model --force`"),
    ):
        engine.predict(photo("person"))


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"conf": 1.5}, "conf"),
        ({"conf": -0.1}, "conf"),
        ({"iou": 2.0}, "iou"),
        ({"imgsz": 4096}, "imgsz"),
        ({"imgsz": 0}, "imgsz"),
    ],
)
def test_out_of_range_parameters_are_refused(engine: InferenceEngine, photo, options: dict, field: str) -> None:
    with pytest.raises(ParameterError) as caught:
        engine.predict(photo("person"), **options)
    assert caught.value.field == field


def test_bad_images_are_refused_before_any_model_work(tmp_path: Path) -> None:
    with InferenceEngine(cache_dir=tmp_path, max_image_bytes=100) as engine:  # no model here
        with pytest.raises(ImageError, match="not a JPEG, PNG, WebP or BMP"):
            engine.predict(b"GIF89a, no thanks")
        with pytest.raises(ImageError, match="at most 100 are accepted"):
            engine.predict(png(64, 64) + b"\0" * 100)


@pytest.mark.skipif("CUDAExecutionProvider" in ort.get_available_providers(), reason="this machine has CUDA")
def test_cuda_without_onnxruntime_gpu_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DeviceUnavailable, match="pip install onnxruntime-gpu"):
        InferenceEngine(device="cuda")
    monkeypatch.setenv("ULMOCK_DEVICE", "cuda:1")
    with pytest.raises(DeviceUnavailable, match="device 'cuda:1'"):
        InferenceEngine()


def test_unknown_devices_are_refused() -> None:
    with pytest.raises(DeviceUnavailable, match="unknown device 'tpu'"):
        InferenceEngine(device="tpu")


def test_device_comes_from_the_environment_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ULMOCK_DEVICE", "CPU")
    with InferenceEngine() as engine:
        assert engine.device.name == "cpu"


# --- Async ----------------------------------------------------------------------------


def test_async_predictions_run_concurrently_and_are_bounded(
    bundled_model: Path, photo, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = InferenceEngine(cache_dir=bundled_model.parent, max_concurrency=2)
    engine.warm_up()
    active, peak, lock = 0, 0, threading.Lock()
    real_predict = engine.predict

    def tracked(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        try:
            time.sleep(0.05)  # hold the slot long enough for overlaps to show
            return real_predict(*args, **kwargs)
        finally:
            with lock:
                active -= 1

    monkeypatch.setattr(engine, "predict", tracked)

    async def scenario() -> tuple[list, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.005)
                ticks += 1

        beat = asyncio.create_task(ticker())
        results = await asyncio.gather(*(engine.predict_async(photo("person")) for _ in range(6)))
        beat.cancel()
        return results, ticks

    try:
        results, ticks = asyncio.run(scenario())
    finally:
        engine.close()
    assert peak == 2  # two at once, never more
    assert all(r.detections[0]["class"] == "person" for r in results)
    assert ticks >= 10  # the event loop kept running meanwhile


def test_async_works_from_several_event_loops(engine: InferenceEngine, photo) -> None:
    for _ in range(2):  # e.g. a test client per test, or lifespan restarts
        assert asyncio.run(engine.predict_async(photo("eagle"))).detections[0]["class"] == "bird"
