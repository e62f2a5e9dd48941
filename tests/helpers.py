"""Helpers shared by the test modules: envelopes, keys, ports, waiting, servers in a subprocess.

Only the standard library and httpx load with this module; whatever is heavier (ulmock's
app, onnx) is imported inside the helper that needs it, so a test module pays for what
it uses.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from starlette.testclient import TestClient

    from ulmock.emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent  # the repository
FIXTURES = ROOT / "fixtures"  # a link to ulmock/bundled/fixtures
IMAGES = FIXTURES / "images"  # dog.jpg, person.jpg, ...
SAMPLES = FIXTURES / "datasets" / "darknet-samples"  # six photos, labelled with the 80 COCO classes
START = "2026-01-15T09:00:00Z"  # the fixed start of the worlds the contract tests build


# -- envelopes -------------------------------------------------------------------------


def data(response: httpx.Response, status: int = 200) -> Any:
    """The `data` of a success envelope, after checking the status."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is True
    return body["data"]


def error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The `error` of an error envelope, after checking status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code, body
    return body["error"]


# -- worlds and keys -------------------------------------------------------------------


def auth(username: str) -> dict[str, str]:
    """The Authorization header carrying a scenario account's fixed key."""
    from ulmock.scenarios import fixed_key

    return {"Authorization": f"Bearer {fixed_key(username)}"}


def unlimited_emulator(scenario: str = "minimal", user: str = "ci-user", **options: Any) -> Emulator:
    """A manual-clock world from `START` whose `user` has no practical rate limit (429s
    would hide every other answer)."""
    from ulmock.domain.entities import RateLimits
    from ulmock.scenarios import build_emulator

    emulator = build_emulator(scenario, mode="manual", start=START, **options)
    with emulator.lock:
        account = emulator.platform.accounts.by_username(user)
        assert account is not None
        account.rate_limits = RateLimits(per_minute=10**9, per_day=10**9)
    return emulator


def guarded_client(admin_token: str) -> TestClient:
    """An in-process client of a minimal, manual-clock world whose control API needs `admin_token`."""
    from starlette.testclient import TestClient

    from ulmock import create_app

    return TestClient(create_app(scenario="minimal", mode="manual", admin_token=admin_token))


def tiny_onnx() -> bytes:
    """A valid ONNX file of a few hundred bytes (weights to upload, not to predict with)."""
    import onnx
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 32, 32])
    y = helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 3, 32, 32])
    graph = helper.make_graph([helper.make_node("Identity", ["images"], ["out"])], "g", [x], [y])
    return bytes(onnx.helper.make_model(graph).SerializeToString())


# -- ports, waiting and servers in a subprocess ----------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(done: Callable[[], object], seconds: float, interval: float = 0.05) -> None:
    """Poll `done()` until it is true or `seconds` pass; the caller asserts what it waited for."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not done():
        time.sleep(interval)


def spawn(*argv: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    """`python *argv`, its output (stderr included) unbuffered in a text pipe."""
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"} if env is None else dict(env)
    return subprocess.Popen(
        [sys.executable, *argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment
    )


def spawn_serve(port: int, *args: str) -> subprocess.Popen[str]:
    """`ulmock serve --port PORT *args` in a subprocess."""
    return spawn("-m", "ulmock.cli", "serve", "--port", str(port), *args)


def start_server(port: int, *args: str, seconds: float = 30) -> subprocess.Popen[str]:
    """`ulmock serve` on `port`, returned once it answers its health check."""
    proc = spawn_serve(port, *args)
    wait_healthy(proc, f"http://127.0.0.1:{port}", seconds)
    return proc


def wait_healthy(proc: subprocess.Popen[str], base: str, seconds: float) -> None:
    """Return once `base`/_ulmock/health answers 200; else kill the server and fail with its output."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/_ulmock/health").status_code == 200:
                return
        except httpx.ConnectError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError(proc.communicate()[0] or "server did not start")


def stop_server(proc: subprocess.Popen[str], sig: signal.Signals = signal.SIGINT) -> str:
    """Signal the server to stop and return all it printed."""
    proc.send_signal(sig)
    return proc.communicate(timeout=30)[0]
