"""Serving the app over HTTP: uvicorn (the default) or granian (the `fast` extra).

Both run the app inside this process, so the emulator's background threads (clock
ticker, webhook sender, state saver, inference) share its state: `run_server` blocks
until SIGINT/SIGTERM (the CLI), `ServerThread` serves from a background thread (pytest,
or any Python program).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
import time
from typing import Any, Literal, cast, get_args

# uvicorn and granian load when a server starts: the pytest plugin reads SERVERS at every
# pytest start (tests/test_plugin_import.py).

ServerName = Literal["uvicorn", "granian"]
SERVERS: tuple[str, ...] = get_args(ServerName)


class ServerUnavailable(RuntimeError):
    """The chosen server is not installed."""


def check_server(name: str) -> ServerName:
    """The server by name, importable; a clear error when it is unknown or missing."""
    if name not in SERVERS:
        raise ServerUnavailable(f"unknown server {name!r}: choose one of {', '.join(SERVERS)}")
    if name == "granian":
        try:
            import granian  # noqa: F401
        except ImportError:
            raise ServerUnavailable(
                "the granian server is not installed: pip install 'ulmock[fast]' (or pip install granian)"
            ) from None
    return cast(ServerName, name)


def run_server(app: Any, host: str, port: int, server: str = "uvicorn", log_level: str = "info") -> str | None:
    """Serve until a stop signal (SIGTERM, SIGINT, SIGHUP), then return its name (None if
    the server stopped by itself): the caller saves state and stops threads."""
    if check_server(server) == "uvicorn":
        from ulmock.graceful import serve

        return serve(app, host, port, log_level)
    from ulmock.graceful import STOP_SIGNALS

    granian = _granian(app, host, port, log_level)
    loop = asyncio.new_event_loop()
    stopped_by: list[str] = []

    def stop(signum: signal.Signals) -> None:
        stopped_by.append(signum.name)
        granian.stop()

    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop, signum)
    foreign = _native_threads()
    try:
        loop.run_until_complete(granian.serve())
    finally:
        loop.close()
        _wait_for_native_threads(foreign)
    return stopped_by[0] if stopped_by else None


def _granian(app: Any, host: str, port: int, log_level: str) -> Any:
    """granian's embedded server: it runs the ASGI app on the calling thread's event loop
    (its HTTP layer in Rust threads), unlike its own CLI, which loads the app in a
    worker process where our threads and state would not be."""
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server.embed import Server

    level = log_level.lower() if log_level.lower() in LogLevels.__members__ else "info"
    server = Server(
        app,
        address=host,
        port=port,
        interface=Interfaces.ASGINL,  # ASGINL: no lifespan, as with uvicorn
        log_enabled=True,
        log_level=LogLevels(level),
        websockets=False,
    )
    logging.getLogger("_granian").addFilter(_quiet_experimental)
    return server


def _native_threads() -> set[int]:
    """Ids of this process's threads that Python did not start (Linux; empty elsewhere)."""
    try:
        tasks = {int(t) for t in os.listdir("/proc/self/task")}
    except OSError:
        return set()
    return tasks - {t.native_id for t in threading.enumerate() if t.native_id is not None}


def _wait_for_native_threads(before: set[int], timeout: float = 2.0) -> None:
    """Wait for granian's Rust threads to end after it stopped serving: they can outlive
    `serve()` by a few milliseconds, and one still touching Python while the interpreter
    exits aborts the process."""
    deadline = time.monotonic() + timeout
    while not _native_threads() <= before and time.monotonic() < deadline:
        time.sleep(0.002)


def _quiet_experimental(record: logging.LogRecord) -> bool:
    # granian warns that embedding is experimental on every start; it is how ulmock
    # runs it, and the test suite covers it, so the line would only be noise.
    return "experimental" not in record.getMessage()


class ServerThread:
    """`with ServerThread(app) as server: server.url` -> a live http://127.0.0.1:PORT."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, server: str = "uvicorn"):
        self.server: ServerName = check_server(server)
        self._backend = (
            _UvicornBackend(app, host, port) if self.server == "uvicorn" else _GranianBackend(app, host, port)
        )
        self.host, self.port = self._backend.host, self._backend.port
        self._thread = threading.Thread(target=self._backend.run, name=f"ulmock-server-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._backend.started():
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"ulmock server ({self.server}) failed to start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._backend.request_exit()
        self._thread.join(timeout=10)
        self._backend.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _UvicornBackend:
    def __init__(self, app: Any, host: str, port: int):
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and
        # without it every keep-alive request waits ~40 ms for a delayed ACK (Nagle).
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        import uvicorn

        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)

    def run(self) -> None:
        self._server.run(sockets=[self._sock])

    def started(self) -> bool:
        return bool(self._server.started)

    def request_exit(self) -> None:
        self._server.should_exit = True

    def close(self) -> None:
        self._sock.close()


class _GranianBackend:
    def __init__(self, app: Any, host: str, port: int):
        if port == 0:
            # granian binds the address itself and cannot report an ephemeral port:
            # take a free one from the kernel and hand it over.
            with socket.socket() as probe:
                probe.bind((host, 0))
                port = probe.getsockname()[1]
        self.host, self.port = host, port
        self._server = _granian(app, host, port, "warning")
        self._listening = threading.Event()
        # Called once granian's listening socket is bound, just before its worker starts.
        self._server.on_startup(self._listening.set)
        self._loop = asyncio.new_event_loop()

    def run(self) -> None:
        asyncio.set_event_loop(self._loop)
        foreign = _native_threads()
        try:
            self._loop.run_until_complete(self._server.serve())
        finally:
            self._loop.close()
            _wait_for_native_threads(foreign)

    def started(self) -> bool:
        return self._listening.is_set()

    def request_exit(self) -> None:
        if not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between: already stopped
                self._loop.call_soon_threadsafe(self._server.stop)

    def close(self) -> None:
        pass
