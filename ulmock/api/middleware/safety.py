"""The last line: an exception that escaped everything becomes a 500 envelope, never a trace.

It is also where a router's own 404 and 405 (Starlette's HTTPException) become refusals in
the request's face's shape, so the app needs none of Starlette's two exception layers.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ulmock.api.middleware.refusals import ErrorsFor, Refusals, seed_errors
from ulmock.api.refusals import routing_refusal
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
        except HTTPException as exc:
            refusal = routing_refusal(scope["method"], scope["path"], exc)
            if refusal is not None:
                await refusals.refuse(refusal)
            elif not refusals.started:
                await PlainTextResponse(exc.detail, exc.status_code, exc.headers)(scope, receive, send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            await refusals.refuse(InternalError("Internal server error"))
