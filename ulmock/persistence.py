"""Saving and restoring an emulator's whole state in a file, atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ulmock.emulator import Emulator


def save_state(emulator: Emulator, path: Path) -> None:
    """Write to a temporary file beside `path`, then rename: a crash leaves the old file whole."""
    data = json.dumps(emulator.snapshot(), separators=(",", ":")).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_state(emulator: Emulator, path: Path) -> bool:
    """Restore from `path` if it exists; returns whether it did."""
    if not path.exists():
        return False
    emulator.restore(json.loads(path.read_bytes()))
    return True
