"""How a middleware answers with an error: in the request's face's shape, and only if no answer has begun.

Both the body limit and the safety net may find out too late, after the app has sent its
status line; then nothing can be said, and they say nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from ulmock.api.reference import envelope
from ulmock.domain.errors import ApiError

ErrorsFor = Callable[[Scope], Callable[[ApiError], Response]]
"""The error shape for a request (its face's)."""


def seed_errors(scope: Scope) -> Callable[[ApiError], Response]:
    """The default: the seed's envelope on every request."""
    return envelope.error


class Refusals:
    """Wraps one request's `send`, so that `refuse` knows whether an answer has begun."""

    def __init__(self, errors_for: ErrorsFor, scope: Scope, receive: Receive, send: Send):
        self.errors_for, self.scope, self.receive, self._send = errors_for, scope, receive, send
        self.started = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)

    async def refuse(self, err: ApiError) -> None:
        if not self.started:
            await self.errors_for(self.scope)(err)(self.scope, self.receive, self._send)
