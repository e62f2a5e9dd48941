"""The live face's OpenAPI document, from its operation table and response TypedDicts.

The same TypedDict types the handlers build their answers with give the schemas here,
through pydantic's TypeAdapter: a shape is written once. The skeleton is shared with
the reference face (`ulmock.api.openapi`); this module gives the live face's parts.
"""

from __future__ import annotations

from typing import Any, NotRequired

from typing_extensions import TypedDict

from ulmock.api.openapi import Face, build_document, rate_headers
from ulmock.api.operations import Operation


class ErrorResponse(TypedDict):
    error: str
    retryAfter: NotRequired[int]
    resetAt: NotRequired[str]


ERROR_DESCRIPTIONS = {
    400: "Invalid owner, slug, query or body",
    401: "Missing or invalid authentication",
    402: "Not enough credit",
    403: "Not allowed for this key, plan or workspace",
    404: "Not found (someone else's private resource reads the same)",
    405: "Method not allowed on this path",
    409: "Conflict: a taken slug, work already under way",
    413: "Request body too large",
    422: "Unprocessable content",
    429: "Rate limit exceeded (Retry-After, X-RateLimit-Reset, retryAfter, resetAt)",
    500: "Injected fault or internal error",
    503: "Temporarily unavailable",
}
RATE_HEADERS = rate_headers(
    limit="Calls allowed per minute in this category",
    remaining="Calls left in the sliding window",
    reset="ISO time the oldest counted call leaves the window",
    reset_schema={"type": "string", "format": "date-time"},
)


LIVE = Face(
    title="Ultralytics Platform API (ulmock, live contract)",
    description="The live Platform contract as emulated by ulmock: owner/slug paths, raw JSON bodies, "
    'errors as {"error": message}.',
    scheme="BearerAuth",
    error=ErrorResponse,
    error_descriptions=ERROR_DESCRIPTIONS,
    rate_headers=RATE_HEADERS,
    # the SDK's callbacks answer mirrored (see ulmock.api.reference.envelope)
    answer=lambda op: op.raw_response or op.response,
)


def build_openapi(operations: list[Operation], server_url: str | None = None) -> dict[str, Any]:
    return build_document(LIVE, operations, server_url)
