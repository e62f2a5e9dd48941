"""The on-disk cache (`$ULMOCK_CACHE_DIR`): where the bundled detector and uploaded
weights are written, and how a file there is checked. (Networks loaded in memory are
`loaded_models.py`.)

The model sits next to a sha256sum-style sidecar (`yolov3-tiny.onnx.sha256`). The
sidecar is written last, so its presence means the model beside it is complete.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ulmock.atomicfile import write_atomic

__all__ = [
    "BUNDLED_MODEL_NAME",
    "bundled_model_path",
    "checksum_path",
    "model_cache_dir",
    "resolve_cache_dir",
    "sha256_file",
    "verify_checksum",
    "write_atomic",
]

BUNDLED_MODEL_NAME = "yolov3-tiny.onnx"
CACHE_ENV = "ULMOCK_CACHE_DIR"


def resolve_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The argument, else `$ULMOCK_CACHE_DIR`, else `~/.cache/ulmock`."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "ulmock"


def bundled_model_path(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where the bundled YOLOv3-tiny ONNX is (or would be) in the cache."""
    return resolve_cache_dir(cache_dir) / BUNDLED_MODEL_NAME


def model_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where uploaded weights are written so a runtime can open them (named by sha256)."""
    return resolve_cache_dir(cache_dir) / "models"


def checksum_path(model: Path) -> Path:
    return model.with_name(model.name + ".sha256")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_checksum(model: Path) -> bool:
    """True when the model and its sidecar exist and agree."""
    sidecar = checksum_path(model)
    if not (model.is_file() and sidecar.is_file()):
        return False
    recorded = sidecar.read_text(encoding="utf-8").split()
    return bool(recorded) and recorded[0] == sha256_file(model)
