"""The last line: an exception that escaped everything becomes a 500 envelope, never a trace."""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ulmock.api.reference import envelope
from ulmock.domain.errors import ApiError, InternalError

# The error shape for a request (its face's); the seed's envelope by default.
ErrorsFor = Callable[[Scope], Callable[[ApiError], Response]]

log = logging.getLogger("ulmock")


class SafetyNetMiddleware:
    def __init__(self, app: ASGIApp, errors_for: ErrorsFor | None = None):
        self.app = app
        self.errors_for: ErrorsFor = errors_for or (lambda scope: envelope.error)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ApiError as err:
            if not started:
                await self.errors_for(scope)(err)(scope, receive, send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await self.errors_for(scope)(InternalError("Internal server error"))(scope, receive, send)
