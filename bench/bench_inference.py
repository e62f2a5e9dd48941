"""Inference latency: the bare network versus the whole in-process pipeline.

    python bench/bench_inference.py [--runs 30] [--imgsz 416 640] [--image PATH]

"network" is one onnxruntime `run` of the bundled YOLOv3-tiny on a prepared tensor;
"pipeline" is `InferenceEngine.predict` on JPEG bytes: decode, letterbox, run,
decode boxes, NMS, API-shaped dicts. Both are medians over `--runs` calls after
warm-up, single image, on this machine's CPU (set ULMOCK_DEVICE for another device).
`pipeline_latency_ms` is importable for comparisons with the HTTP path.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnxruntime as ort

from ulmock.inference import InferenceEngine, ensure_bundled_model

PERSON_JPG = Path(__file__).resolve().parents[1] / "fixtures" / "datasets" / "darknet-samples" / "images" / "person.jpg"
WARM_UP = 3


def median_ms(call: Callable[[], object], runs: int) -> float:
    for _ in range(WARM_UP):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def network_latency_ms(runs: int = 30, imgsz: int = 416) -> float:
    """Median time of one bare onnxruntime run of the bundled model at `imgsz`."""
    session = ort.InferenceSession(str(ensure_bundled_model()), providers=["CPUExecutionProvider"])
    tensor = np.random.default_rng(0).uniform(0, 1, (1, 3, imgsz, imgsz)).astype(np.float32)
    return median_ms(lambda: session.run(["output0"], {"images": tensor}), runs)


def pipeline_latency_ms(
    n: int = 30,
    imgsz: int | None = None,
    image: bytes | None = None,
    engine: InferenceEngine | None = None,
) -> float:
    """Median time of `engine.predict` (bytes in, detections out) over `n` calls."""
    data = image if image is not None else PERSON_JPG.read_bytes()
    own = engine is None
    engine = engine or InferenceEngine(cache_dir=ensure_bundled_model().parent)
    try:
        return median_ms(lambda: engine.predict(data, imgsz=imgsz), n)
    finally:
        if own:
            engine.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bundled-model latency, median of N runs.")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--imgsz", type=int, nargs="+", default=[416, 640])
    parser.add_argument("--image", type=Path, default=PERSON_JPG)
    args = parser.parse_args(argv)

    data = args.image.read_bytes()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, onnxruntime {ort.__version__}")
    print(f"image {args.image.name}, median of {args.runs} runs after {WARM_UP} warm-up\n")
    print(f"{'imgsz':>6} {'network ms':>11} {'pipeline ms':>12} {'overhead ms':>12}")
    with InferenceEngine(cache_dir=ensure_bundled_model().parent) as engine:
        for imgsz in args.imgsz:
            network = network_latency_ms(args.runs, imgsz)
            pipeline = pipeline_latency_ms(args.runs, imgsz, data, engine)
            print(f"{imgsz:>6} {network:>11.1f} {pipeline:>12.1f} {pipeline - network:>12.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
