"""Refuses request bodies over the size limit before they are read into memory."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ulmock.api.middleware.refusals import ErrorsFor, Refusals, seed_errors
from ulmock.domain.errors import ValidationError
from ulmock.domain.limits import BODY_LIMIT

DEFAULT_MAX_BODY = BODY_LIMIT
HTTP1 = ("1.0", "1.1")


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body: int = DEFAULT_MAX_BODY, errors_for: ErrorsFor | None = None):
        self.app = app
        self.max_body = max_body
        self.errors_for: ErrorsFor = errors_for or seed_errors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                chunked = True
        if declared is None and not chunked and scope.get("http_version") in HTTP1:
            # No length and no chunks: HTTP/1 says there is no body (RFC 9112 6.3), so
            # nothing to count; most calls (every GET) pass straight through.
            await self.app(scope, receive, send)
            return
        refusals = Refusals(self.errors_for, scope, receive, send)
        if declared is not None:
            if not declared.isdigit():
                await refusals.refuse(self._refusal("Invalid Content-Length header", 400))
                return
            if int(declared) > self.max_body:
                await refusals.refuse(self._refusal("Request body too large", 413))
                return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, refusals.send)
        except BodyTooLarge:
            await refusals.refuse(self._refusal("Request body too large", 413))

    def _refusal(self, message: str, status: int) -> ValidationError:
        return ValidationError(message, {"body": f"at most {self.max_body} bytes"}, status=status)
