"""Serving until a stop signal, then returning, so the caller can save the state.

uvicorn catches SIGINT and SIGTERM, shuts down, then raises the caught signal again to
end the process the default way: a caller's `finally` (the state save) never runs for
SIGTERM, and SIGHUP is not caught at all. Here every stop signal ends the serve loop
and `serve` returns normally; what to do next is the caller's business.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Generator
from contextlib import contextmanager
from typing import Any

import uvicorn

# `docker stop`, systemd and CI send SIGTERM; a terminal SIGINT; a closed terminal SIGHUP.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class GracefulServer(uvicorn.Server):
    """A uvicorn server whose stop signals end `run()` instead of the process."""

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():  # only the main thread gets signals
            yield
            return
        originals = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in originals.items():
                signal.signal(sig, handler)

    @property
    def stopped_by(self) -> str | None:
        """The name of the signal that stopped the server, if one did."""
        return signal.Signals(self._captured_signals[0]).name if self._captured_signals else None


def serve(app: Any, host: str, port: int, log_level: str) -> str | None:
    """Serve until a stop signal; returns its name (None if the server stopped by itself)."""
    server = GracefulServer(uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="off"))
    server.run()
    return server.stopped_by
