"""JSON answers, as both faces and the shared edge render them."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.responses import Response

from ulmock.domain.errors import ApiError, RateLimited

JSON = "application/json"

JsonFragment = orjson.Fragment
"""JSON already encoded, placed as it is where it sits in a payload (a list page's items).
A payload holding one is encoded by orjson only: a page with items has a page number and
total well inside 64 bits, the one thing that sends a payload down the standard path."""


def dumps(payload: Any) -> bytes:
    # orjson is ~10x faster on list pages, the hottest path; what it refuses (ints beyond
    # 64 bits, such as an absurd page number echoed in `meta`) takes the standard path.
    try:
        return orjson.dumps(payload)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        pass
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False, check_circular=False)
    return text.encode()


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(payload), status_code=status, headers=headers, media_type=JSON)


def error_headers(err: ApiError) -> dict[str, str]:
    """The headers a refusal carries in either face: its own, and when to retry a 429."""
    if isinstance(err, RateLimited):
        return {**err.headers, "Retry-After": str(err.retry_after)}
    return err.headers
