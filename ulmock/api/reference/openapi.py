"""The OpenAPI 3.1 document of `/api`, generated from the operation table and the same
pydantic models that validate requests and shape responses."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter, create_model

from ulmock import __version__
from ulmock.api.operations import Operation

JsonMode = Literal["validation", "serialization"]
from ulmock.domain.errors import ERROR_CODES


class PageMeta(BaseModel):
    page: int
    limit: int
    total: int


class ErrorBody(BaseModel):
    code: Literal["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "VALIDATION_ERROR", "RATE_LIMITED", "INTERNAL_ERROR"]
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
RATE_HEADERS = {
    "X-RateLimit-Limit": {"description": "Requests allowed per minute", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Requests left in this window", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "Unix time when the window resets", "schema": {"type": "integer"}},
}
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


def build_openapi(operations: list[Operation], server_url: str | None = None) -> dict[str, Any]:
    envelopes = {id(op): _envelope(op) for op in operations}
    inputs: list[tuple[Any, JsonMode, TypeAdapter[Any]]] = [("error", "serialization", TypeAdapter(ErrorEnvelope))]
    for op in operations:
        if envelopes[id(op)] is not None:
            inputs.append((("out", id(op)), "serialization", TypeAdapter(envelopes[id(op)])))
        for kind, model in (("body", op.body), ("form", op.form)):
            if model is not None:
                inputs.append(((kind, id(op)), "validation", TypeAdapter(model)))
    found, top = TypeAdapter.json_schemas(inputs, ref_template="#/components/schemas/{model}")
    refs = {key: found[(key, mode)] for key, mode, _ in inputs}
    schemas = top.get("$defs", {})

    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, envelopes[id(op)], refs)
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Ultralytics Platform REST API (ulmock)",
            "version": __version__,
            "description": "The Platform's REST API as emulated by ulmock. Every response is one of two envelopes.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "ul_<40 hex>"}},
        },
        "security": [{"bearerAuth": []}],
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc


def _operation(op: Operation, env: Any, refs: dict[Any, Any]) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in re.findall(r"{(\w+)}", op.path)
    ]
    if op.query is not None:
        schema = op.query.model_json_schema()
        required = set(schema.get("required", []))
        for name, prop in schema["properties"].items():
            prop = {k: v for k, v in prop.items() if k != "title"}
            param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if "description" in prop:
                param["description"] = prop.pop("description")
            parameters.append(param)
    out: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
        "x-ulmock-scope": op.scope or "any",
    }
    if op.body is not None:
        out["requestBody"] = {
            "required": any(f.is_required() for f in op.body.model_fields.values()),
            "content": {"application/json": {"schema": refs[("body", id(op))]}},
        }
    if op.form is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": refs[("form", id(op))]}},
        }
    success: dict[str, Any] = {"description": "Success", "headers": RATE_HEADERS}
    if env is not None:
        success["content"] = {"application/json": {"schema": refs[("out", id(op))]}}
    if op.links:
        success["links"] = op.links
    responses: dict[str, Any] = {str(op.status): success}
    error_schema = {"application/json": {"schema": refs["error"]}}
    codes = sorted({*op.errors, 405, 500} | ({413} if op.body is not None or op.form is not None else set()))
    for code in codes:
        entry: dict[str, Any] = {"description": ERROR_DESCRIPTIONS[code], "content": error_schema}
        if code == 429:
            entry["headers"] = {**RATE_HEADERS, "Retry-After": {"schema": {"type": "integer"}}}
        responses[str(code)] = entry
    out["responses"] = responses
    return out
