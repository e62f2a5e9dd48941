"""Answers for the routes the `ultralytics` package calls: the envelope, fields mirrored on top.

The real Platform answers these routes with bare objects, and the SDK reads its fields
at the top level (`response["downloadUrl"]`, `response.get("modelId")`). ulmock keeps
its success envelope on every `/api` answer, so these answers carry both: `success` and
`data` as everywhere, and the same fields again beside them. Errors keep the plain
error envelope: the SDK only looks at their status.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, create_model
from starlette.responses import Response

from ulmock.api.reference import envelope


def ok(data: dict[str, Any], status: int = 200) -> Response:
    return envelope.json_response({**data, "success": True, "data": data}, status)


def answer_model(view: type[BaseModel]) -> type[BaseModel]:
    """The OpenAPI model of `ok(view)`: the view's fields, plus `success` and `data`."""
    return create_model(
        f"Mirrored{view.__name__}",
        __base__=view,
        success=(Literal[True], ...),
        data=(view, ...),
    )
