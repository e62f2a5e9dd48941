"""The last line: an exception that escaped everything becomes a 500 envelope, never a trace."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Receive, Scope, Send

from ulmock.api.middleware.refusals import ErrorsFor, Refusals, seed_errors
from ulmock.domain.errors import ApiError, InternalError

log = logging.getLogger("ulmock")


class SafetyNetMiddleware:
    def __init__(self, app: ASGIApp, errors_for: ErrorsFor | None = None):
        self.app = app
        self.errors_for: ErrorsFor = errors_for or seed_errors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusals = Refusals(self.errors_for, scope, receive, send)
        try:
            await self.app(scope, receive, refusals.send)
        except ApiError as err:
            await refusals.refuse(err)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            await refusals.refuse(InternalError("Internal server error"))
