"""Refuses request bodies over the size limit before they are read into memory."""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ulmock.api.reference import envelope
from ulmock.domain.errors import ApiError, ValidationError
from ulmock.domain.limits import BODY_LIMIT

ErrorsFor = Callable[[Scope], Callable[[ApiError], Response]]

DEFAULT_MAX_BODY = BODY_LIMIT


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body: int = DEFAULT_MAX_BODY, errors_for: ErrorsFor | None = None):
        self.app = app
        self.max_body = max_body
        self.errors_for: ErrorsFor = errors_for or (lambda scope: envelope.error)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await self._refuse(scope, receive, send, 400, "Invalid Content-Length header")
                return
            if int(declared) > self.max_body:
                await self._refuse(scope, receive, send, 413, "Request body too large")
                return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send, 413, "Request body too large")

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
        err = ValidationError(message, {"body": f"at most {self.max_body} bytes"}, status=status)
        await self.errors_for(scope)(err)(scope, receive, send)
