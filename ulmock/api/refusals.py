"""The answers for a path nobody serves (404) and a method a path does not take (405).

Written once here and rendered by each face in its own error shape (`ErrorRenderer`):
the reference face's envelope, the live face's `{"error": ...}`. The same builders serve
the routers' fall-through (`routing_refusal`, `refusal_handlers`), the control API and
the dashboard.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ulmock.domain.errors import ApiError, NotFound, ValidationError

# How a face writes an error: the seed's envelope, or the live contract's {"error": ...}.
ErrorRenderer = Callable[[ApiError], Response]
ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]


def no_such(method: str, path: str, what: str = "endpoint") -> NotFound:
    """404: `No such endpoint: GET /api/nope` (or `control endpoint`, ...)."""
    return NotFound(f"No such {what}: {method} {path}")


def not_allowed(method: str, allowed: str | None = None, headers: dict[str, str] | None = None) -> ValidationError:
    """405; `allowed` (e.g. "GET, POST") goes in the details and the `Allow` header."""
    if allowed is None:
        err = ValidationError(f"Method {method} is not allowed here", status=405)
    else:
        err = ValidationError(
            f"Method {method} is not allowed here", {"allowed": allowed}, status=405, headers={"Allow": allowed}
        )
    err.headers.update(headers or {})
    return err


def routing_refusal(method: str, path: str, exc: HTTPException) -> ApiError | None:
    """What a router's own HTTPException means: no route (404), or no such method on one
    (405, with its `Allow`); None for any other status, which keeps Starlette's plain answer."""
    if exc.status_code == 404:
        return no_such(method, path)
    if exc.status_code == 405:
        return not_allowed(method, headers=dict(exc.headers) if exc.headers else None)
    return None


def refusal_handlers(render: ErrorRenderer) -> dict[int | type[Exception], ExceptionHandler]:
    """Starlette's 404 and 405 (no route, no such method on a route) in a face's shape."""

    async def refuse(request: Request, exc: Exception) -> Response:
        refusal = routing_refusal(request.method, request.url.path, cast(HTTPException, exc))
        assert refusal is not None  # registered for 404 and 405 only
        return render(refusal)

    return {404: refuse, 405: refuse}
