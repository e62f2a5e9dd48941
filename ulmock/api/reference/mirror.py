"""Answers for the routes the `ultralytics` package calls: the envelope, fields mirrored on top.

The real Platform answers these routes with bare objects, and the SDK reads its fields
at the top level (`response["downloadUrl"]`, `response.get("modelId")`). ulmock keeps
its success envelope on every `/api` answer, so these answers carry both: `success` and
`data` as everywhere, and the same fields again beside them. Errors keep the plain
error envelope: the SDK only looks at their status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_type_hints

from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.reference import envelope
from ulmock.api.reference.views import shape


def ok(data: Mapping[str, Any], status: int = 200) -> Response:
    return envelope.json_response({**data, "success": True, "data": data}, status)


def answer_model(view: type[Any]) -> type[Any]:
    """The OpenAPI shape of `ok(view)`: the view's fields, plus `success` and `data`."""
    fields = {**get_type_hints(view), "success": Literal[True], "data": view}
    mirrored: type[Any] = shape(TypedDict(f"Mirrored{view.__name__}", fields))  # type: ignore[operator]
    return mirrored
