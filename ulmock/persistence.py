"""Saving and restoring an emulator's whole state in a file, atomically."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path

from ulmock.emulator import Emulator

log = logging.getLogger("ulmock")


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


class StateSaver:
    """Saves the state every `interval` seconds in the background, and once more on stop."""

    def __init__(self, emulator: Emulator, path: Path, interval: float = 30.0):
        self.emulator, self.path, self.interval = emulator, path, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ulmock-state-saver", daemon=True)

    def start(self) -> StateSaver:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                save_state(self.emulator, self.path)
            except OSError as exc:  # a full disk must not take the server down
                log.warning("could not save state to %s: %s", self.path, exc)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        save_state(self.emulator, self.path)
