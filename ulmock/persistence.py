"""Saving and restoring an emulator's whole state in a file, atomically.

The state file is the snapshot document with its large blobs beside it, in
`FILE.blobs/<sha256>`: each written once, never rewritten, removed when no saved state
refers to it any more. A save takes its consistent copy under the emulator's lock (no
bytes copied) and does everything slow, serialising and writing, after releasing it.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import orjson

from ulmock.atomicfile import write_atomic
from ulmock.emulator import Emulator
from ulmock.snapshots import SnapshotError

log = logging.getLogger("ulmock")


class StateFileError(Exception):
    """A state file that cannot be restored; the message says why, on one line."""


def blob_folder(path: Path) -> Path:
    return path.with_name(path.name + ".blobs")


def save_state(emulator: Emulator, path: Path) -> None:
    """Write atomically: a crash mid-save leaves the previous file whole. Owner-only,
    since a state file holds API keys."""
    folder = blob_folder(path)
    captured = emulator.capture()
    data, files = captured.state_bytes(folder)
    write_atomic(path, data, mode=0o600)
    _forget_unreferenced(folder, {Path(f).name for f in files.values()})
    # Those bytes are on disk now: the world reads them from there, and frees the memory.
    with emulator.lock:
        blobs = emulator.platform.world.blobs
        for blob_id, file in files.items():
            blobs.moved_to_file(blob_id, file)


def _forget_unreferenced(folder: Path, kept: set[str]) -> None:
    if not folder.is_dir():
        return
    for file in folder.iterdir():
        if file.name not in kept and not file.name.startswith("."):
            file.unlink(missing_ok=True)


def load_state(emulator: Emulator, path: Path) -> bool:
    """Restore from `path` if it exists; returns whether it did. StateFileError if it
    cannot be: the emulator and the file are then left as they were."""
    if not path.exists():
        return False
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StateFileError(f"cannot be read: {exc.strerror or exc}") from None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StateFileError(f"is not a ulmock state file (not JSON: {str(exc).splitlines()[0]})") from None
    folder = blob_folder(path)
    try:
        emulator.restore(data, stored=lambda sha256: folder / sha256)
    except SnapshotError as exc:
        raise StateFileError(f"is not a ulmock state file ({exc})") from None
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

    def stop(self) -> str | None:
        """Stop, and save once more; returns why that last save failed (None: it did not)."""
        self._stop.set()
        self._thread.join(timeout=10)
        try:
            save_state(self.emulator, self.path)
        except OSError as exc:
            return exc.strerror or str(exc)
        return None
