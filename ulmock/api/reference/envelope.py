"""The reference face's envelopes, rendered as JSON responses.

    {"success": true, "data": ...}                  ok: every answer
    {"success": true, "data": [...], "meta": ...}   paged: list pages
    {"success": false, "error": {...}}              error: every refusal
    {...fields, "success": true, "data": {...}}     mirrored: the SDK's routes

Mirrored answers serve the routes the `ultralytics` package calls. The real Platform
answers them with bare objects and the SDK reads their fields at the top level
(`response["downloadUrl"]`, `response.get("modelId")`); ulmock keeps its success
envelope on every `/api` answer, so these carry both: `success` and `data` as
everywhere, and the same fields again beside them. Their errors keep the plain error
envelope: the SDK only looks at the status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_type_hints

from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.reference.views import shape
from ulmock.api.responses import error_headers, json_response
from ulmock.domain.errors import ApiError
from ulmock.domain.store import Page

__all__ = ["error", "json_response", "mirrored", "mirrored_shape", "ok", "paged"]


def ok(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return json_response({"success": True, "data": data}, status, headers)


def paged(page: Page[Any], items: list[Any], headers: dict[str, str] | None = None) -> Response:
    return json_response({"success": True, "data": items, "meta": page.meta()}, 200, headers)


def error(err: ApiError, headers: dict[str, str] | None = None) -> Response:
    refusal: dict[str, Any] = {"code": err.code, "message": err.message}
    if err.details is not None:
        refusal["details"] = err.details
    return json_response({"success": False, "error": refusal}, err.status, {**(headers or {}), **error_headers(err)})


def mirrored(data: Mapping[str, Any], status: int = 200) -> Response:
    return json_response({**data, "success": True, "data": data}, status)


def mirrored_shape(view: type[Any]) -> type[Any]:
    """The OpenAPI shape of `mirrored(view)`: the view's fields, plus `success` and `data`."""
    fields = {**get_type_hints(view), "success": Literal[True], "data": view}
    answer: type[Any] = shape(TypedDict(f"Mirrored{view.__name__}", fields))  # type: ignore[operator]
    return answer
