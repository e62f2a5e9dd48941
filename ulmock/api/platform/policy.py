"""The live face at the edge: `{"error": message}` bodies, per-key per-category quotas.

Errors carry nothing but the message, except 429, which adds `retryAfter` (seconds) and
`resetAt` (ISO time), beside the `Retry-After` and ISO `X-RateLimit-Reset` headers.
Quotas are sliding windows of one minute on the emulator's clock, one counter per API
key and category (the categories of the live docs' rate-limit table).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import Response

from ulmock.api.platform.routes import Category
from ulmock.api.responses import error_headers, json_response
from ulmock.domain.clock import iso_uncached
from ulmock.domain.entities import Account, ApiKey
from ulmock.domain.errors import ApiError, RateLimited
from ulmock.domain.sliding import SlidingWindows

if TYPE_CHECKING:
    from ulmock.api.operations import Operation
    from ulmock.domain.backend import Platform

PER_MINUTE: dict[Category, int] = {
    "default": 100,
    "training": 10,
    "upload": 10,
    "predict": 20,
    "export": 20,
    "download": 30,
}


def error_response(err: ApiError) -> Response:
    body: dict[str, object] = {"error": err.message}
    if isinstance(err, RateLimited) and err.details:
        body["retryAfter"] = err.details["retryAfter"]
        body["resetAt"] = err.details["resetAt"]
    return json_response(body, err.status, error_headers(err) or None)


class PlatformPolicy:
    def __init__(self, categories: dict[tuple[str, str], Category]):
        self.categories = categories

    def error(self, err: ApiError) -> Response:
        return error_response(err)

    def count(self, platform: Platform, account: Account, key: ApiKey, op: Operation) -> dict[str, str]:
        category = self.categories.get((op.method, op.path), "default")
        state = SlidingWindows(platform.world).hit(key.id, category, PER_MINUTE[category])
        headers = {
            "X-RateLimit-Limit": str(state.limit),
            "X-RateLimit-Remaining": str(state.remaining),
            "X-RateLimit-Reset": iso_uncached(state.reset_at),
        }
        if not state.allowed:
            reset = iso_uncached(state.reset_at)
            err = RateLimited(
                f"Rate limit exceeded: {state.limit} {category} requests per minute. Retry in {state.retry_after} s.",
                state.retry_after,
                {"retryAfter": state.retry_after, "resetAt": reset},
            )
            err.headers.update(headers)
            raise err
        return headers
