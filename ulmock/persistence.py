"""Saving and restoring an emulator's whole state in a file, atomically."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from ulmock.atomicfile import write_atomic
from ulmock.emulator import Emulator

log = logging.getLogger("ulmock")


def save_state(emulator: Emulator, path: Path) -> None:
    """Write atomically: a crash mid-save leaves the previous file whole. Owner-only,
    since a state file holds API keys."""
    write_atomic(path, json.dumps(emulator.snapshot(), separators=(",", ":")).encode(), mode=0o600)


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
