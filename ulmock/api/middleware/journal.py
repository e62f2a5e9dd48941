"""Records every request in the emulator's journal, with its status and timing."""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ulmock.api.journal import Journal

# The control API's own traffic would drown what a test wants to see; so would the
# dashboard's refreshes.
UNJOURNALED = ("/_ulmock/requests", "/_ulmock/ui")


class JournalMiddleware:
    def __init__(self, app: ASGIApp, journal: Journal, now: Callable[[], float]):
        """`now`: the emulated time an entry is stamped with."""
        self.app = app
        self.journal = journal
        self.now = now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNJOURNALED):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        recorded = False

        def record(status: int) -> None:
            nonlocal recorded
            recorded = True
            state = scope.get("state") or {}
            self.journal.record(
                self.now(),
                scope["method"],
                scope["path"],
                scope.get("query_string", b"").decode("latin-1"),
                status,
                state.get("ulmock.account"),
                round((time.perf_counter() - started) * 1000, 3),
                state.get("ulmock.fault"),
            )

        async def send_wrapper(message: Message) -> None:
            # Written before the answer leaves, so a client that got its response
            # always finds the request in the journal.
            if not recorded and message["type"] == "http.response.start":
                record(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if not recorded:
                record(500)
