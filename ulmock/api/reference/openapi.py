"""The reference face's OpenAPI document: its envelopes, errors and rate-limit headers.

The skeleton (paths, parameters, bodies, one pass of schemas) is `ulmock.api.openapi`;
this module gives what is the reference's own: each answer wrapped in its envelope.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, create_model

from ulmock.api.openapi import Face, build_document, rate_headers
from ulmock.api.operations import Operation
from ulmock.domain.errors import ERROR_CODES, ErrorCode


class PageMeta(BaseModel):
    page: int
    limit: int
    total: int


class ErrorBody(BaseModel):
    code: ErrorCode
    message: str
    details: dict[str, Any] | None = None


class ErrorEnvelope(BaseModel):
    success: Literal[False]
    error: ErrorBody


ERROR_DESCRIPTIONS = {
    400: "Invalid input (VALIDATION_ERROR)",
    401: "Missing, malformed, unknown or revoked API key (UNAUTHORIZED)",
    403: "Key lacks the scope, or the plan or balance does not allow it (FORBIDDEN)",
    404: "Unknown id, someone else's id, or in the trash (NOT_FOUND)",
    405: "Method not allowed on this path (VALIDATION_ERROR)",
    413: "Request body too large (VALIDATION_ERROR)",
    429: "Over the per-minute or per-day quota (RATE_LIMITED)",
    500: "Injected fault or internal error (INTERNAL_ERROR)",
}
RATE_HEADERS = rate_headers(
    limit="Requests allowed per minute",
    remaining="Requests left in this window",
    reset="Unix time when the window resets",
    reset_schema={"type": "integer"},
)
assert set(ErrorBody.model_fields["code"].annotation.__args__) == set(ERROR_CODES)  # type: ignore[union-attr]


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\W]+", name) if part)


def _envelope(op: Operation) -> Any:
    if op.raw_response is not None:
        return op.raw_response
    if op.response is None:
        return None
    name = _camel(op.operation_id) + "Response"
    if op.paginated:
        items: Any = list[op.response]  # type: ignore[name-defined]
        return create_model(name, success=(Literal[True], ...), data=(items, ...), meta=(PageMeta, ...))
    return create_model(name, success=(Literal[True], ...), data=(op.response, ...))


REFERENCE = Face(
    title="Ultralytics Platform REST API (ulmock)",
    description="The Platform's REST API as emulated by ulmock. Every response is one of two envelopes.",
    scheme="bearerAuth",
    error=ErrorEnvelope,
    error_descriptions=ERROR_DESCRIPTIONS,
    rate_headers=RATE_HEADERS,
    answer=_envelope,
    extensions=lambda op: {"x-ulmock-scope": op.scope or "any"},
)


def build_openapi(operations: list[Operation], server_url: str | None = None) -> dict[str, Any]:
    return build_document(REFERENCE, operations, server_url)
