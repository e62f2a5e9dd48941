"""The Platform's two envelopes, rendered as JSON responses."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.responses import Response

from ulmock.domain.errors import ApiError
from ulmock.domain.store import Page

JSON = "application/json"


def _dumps(payload: Any) -> bytes:
    # orjson is ~10x faster on list pages, the hottest path; what it refuses (ints beyond
    # 64 bits, such as an absurd page number echoed in `meta`) takes the standard path.
    try:
        return orjson.dumps(payload)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        pass
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False, check_circular=False)
    return text.encode()


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(_dumps(payload), status_code=status, headers=headers, media_type=JSON)


def ok(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return json_response({"success": True, "data": data}, status, headers)


def paged(page: Page[Any], items: list[Any], headers: dict[str, str] | None = None) -> Response:
    return json_response({"success": True, "data": items, "meta": page.meta()}, 200, headers)


def error(err: ApiError, headers: dict[str, str] | None = None) -> Response:
    merged = {**(headers or {}), **err.headers}
    return json_response(err.body(), err.status, merged)
