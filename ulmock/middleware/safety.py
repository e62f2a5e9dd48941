"""The last line: an exception that escaped everything becomes a 500 envelope, never a trace."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ulmock import envelope
from ulmock.errors import ApiError, InternalError

log = logging.getLogger("ulmock")


class SafetyNetMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

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
                await envelope.error(err)(scope, receive, send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await envelope.error(InternalError("Internal server error"))(scope, receive, send)
