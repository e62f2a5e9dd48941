"""Predict over HTTP against the same pipeline in-process, side by side in one run.

    python bench/bench_predict_http.py [--runs 40] [--imgsz 416]

The server is a real `ulmock serve` process (the minimal world) on 127.0.0.1; the
client sends person.jpg as multipart, one request at a time, on a kept-alive
connection. "in-process" is `InferenceEngine.predict` on the same bytes in this process;
"network" is the bare onnxruntime run. Rounds alternate HTTP and in-process so both
see the same machine load. Goal: HTTP / in-process <= 1.15.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_inference import PERSON_JPG, network_latency_ms

from ulmock.inference import InferenceEngine, ensure_bundled_model
from ulmock.scenarios import fixed_key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "ulmock.cli",
        "serve",
        "--scenario",
        "minimal",
        "--manual-clock",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/_ulmock/health")
            return proc
        except httpx.ConnectError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("ulmock serve did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--imgsz", type=int, default=416)
    args = parser.parse_args(argv)
    image = PERSON_JPG.read_bytes()
    port = free_port()
    server = start_server(port)
    try:
        client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {fixed_key('ci-user')}"}, timeout=60
        )
        model = next(m["id"] for m in client.get("/api/models").json()["data"] if m["name"] == "baseline")
        url = f"/api/models/{model}/predict"
        fields = {"conf": "0.25", "iou": "0.7", "imgsz": str(args.imgsz)}

        def over_http() -> None:
            r = client.post(url, files={"file": ("person.jpg", image, "image/jpeg")}, data=fields)
            assert r.status_code == 200, r.text

        engine = InferenceEngine(cache_dir=ensure_bundled_model().parent)

        def in_process() -> None:
            engine.predict(image, imgsz=args.imgsz)

        for _ in range(5):  # warm both sides: sessions loaded, connection open
            over_http()
            in_process()
        http_ms: list[float] = []
        local_ms: list[float] = []
        for _ in range(args.runs):
            for call, samples in ((over_http, http_ms), (in_process, local_ms)):
                started = time.perf_counter()
                call()
                samples.append((time.perf_counter() - started) * 1000)
        network = network_latency_ms(args.runs, args.imgsz)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    http, local = statistics.median(http_ms), statistics.median(local_ms)
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    print(f"{cpu}, {os.cpu_count()} CPUs; person.jpg at {args.imgsz}, median of {args.runs} alternating rounds\n")
    print(f"{'path':<28}{'median ms':>10}")
    print(f"{'network (onnxruntime run)':<28}{network:>10.1f}")
    print(f"{'pipeline in-process':<28}{local:>10.1f}")
    print(f"{'predict over HTTP':<28}{http:>10.1f}")
    print(f"\nHTTP / in-process = {http / local:.3f}  (goal <= 1.15)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
