"""The live face's OpenAPI document, from its operation table and response TypedDicts.

The same TypedDict types the handlers build their answers with give the schemas here,
through pydantic's TypeAdapter: a shape is written once.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter
from typing_extensions import NotRequired, TypedDict

from ulmock import __version__
from ulmock.api.operations import Operation

JsonMode = Literal["validation", "serialization"]


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
RATE_HEADERS = {
    "X-RateLimit-Limit": {"description": "Calls allowed per minute in this category", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Calls left in the sliding window", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "ISO time the oldest counted call leaves the window",
                          "schema": {"type": "string", "format": "date-time"}},
}  # fmt: skip


def build_openapi(operations: list[Operation], server_url: str | None = None) -> dict[str, Any]:
    inputs: list[tuple[Any, JsonMode, Any]] = [("error", "serialization", TypeAdapter(ErrorResponse))]
    for op in operations:
        answer = op.raw_response or op.response  # the SDK's callbacks answer mirrored (see ulmock.api.reference.envelope)
        if answer is not None:
            inputs.append((("out", id(op)), "serialization", TypeAdapter(answer)))
        for kind, model in (("body", op.body), ("form", op.form)):
            if model is not None:
                inputs.append(((kind, id(op)), "validation", TypeAdapter(model)))
    refs, top = TypeAdapter.json_schemas(inputs, ref_template="#/components/schemas/{model}")
    schema_of = {key: refs[(key, mode)] for key, mode, _ in inputs}
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, schema_of)
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Ultralytics Platform API (ulmock, live contract)",
            "version": __version__,
            "description": "The live Platform contract as emulated by ulmock: owner/slug paths, raw JSON bodies, "
            'errors as {"error": message}.',
        },
        "paths": paths,
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {"BearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "ul_<40 hex>"}},
        },
        "security": [{"BearerAuth": []}],
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc


def _operation(op: Operation, schema_of: dict[Any, Any]) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in re.findall(r"{(\w+)}", op.path)
    ]
    if op.query is not None:
        parameters.extend(_query_parameters(op.query))
    out: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
    }
    if op.body is not None:
        out["requestBody"] = {
            "required": any(f.is_required() for f in op.body.model_fields.values()),
            "content": {"application/json": {"schema": schema_of[("body", id(op))]}},
        }
    if op.form is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": schema_of[("form", id(op))]}},
        }
    success: dict[str, Any] = {"description": "Success", "headers": RATE_HEADERS}
    if op.raw_response is not None or op.response is not None:
        success["content"] = {"application/json": {"schema": schema_of[("out", id(op))]}}
    responses: dict[str, Any] = {str(op.status): success}
    error = {"application/json": {"schema": schema_of["error"]}}
    codes = sorted({*op.errors, 405, 500} | ({413} if op.body is not None or op.form is not None else set()))
    for code in codes:
        entry: dict[str, Any] = {"description": ERROR_DESCRIPTIONS[code], "content": error}
        if code == 429:
            entry["headers"] = {**RATE_HEADERS, "Retry-After": {"schema": {"type": "integer"}}}
        responses[str(code)] = entry
    out["responses"] = responses
    return out


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema["properties"].items():
        prop = {k: v for k, v in prop.items() if k != "title"}
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if "description" in prop:
            param["description"] = prop.pop("description")
        params.append(param)
    return params
