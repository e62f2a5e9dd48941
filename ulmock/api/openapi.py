"""The skeleton of a face's OpenAPI 3.1 document, from its operation table.

Both faces publish the same way: paths from the operations (path and query parameters,
the body or form model, the success shape, the documented errors), and every schema
through pydantic's TypeAdapter in one pass, so a shape shared by many operations is one
component. What differs between faces (titles, the error shape and its descriptions,
the rate-limit headers, the success shape of an operation, extensions) is a `Face`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter

from ulmock import __version__
from ulmock.api.operations import Operation

JsonMode = Literal["validation", "serialization"]


def _no_extensions(op: Operation) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Face:
    title: str
    description: str
    scheme: str  # the name of the bearer security scheme
    error: Any  # the shape of every error answer
    error_descriptions: Mapping[int, str]
    rate_headers: Mapping[str, Any]
    answer: Callable[[Operation], Any]  # an operation's success shape, or None for no body
    extensions: Callable[[Operation], dict[str, Any]] = _no_extensions  # `x-` fields of an operation


def rate_headers(limit: str, remaining: str, reset: str, reset_schema: dict[str, Any]) -> dict[str, Any]:
    """The three rate-limit headers of every answer, in a face's words (the reset's form differs)."""
    return {
        "X-RateLimit-Limit": {"description": limit, "schema": {"type": "integer"}},
        "X-RateLimit-Remaining": {"description": remaining, "schema": {"type": "integer"}},
        "X-RateLimit-Reset": {"description": reset, "schema": reset_schema},
    }


def build_document(face: Face, operations: list[Operation], server_url: str | None = None) -> dict[str, Any]:
    answers = {id(op): face.answer(op) for op in operations}
    inputs: list[tuple[Any, JsonMode, TypeAdapter[Any]]] = [("error", "serialization", TypeAdapter(face.error))]
    for op in operations:
        if answers[id(op)] is not None:
            inputs.append((("out", id(op)), "serialization", TypeAdapter(answers[id(op)])))
        for kind, model in (("body", op.body), ("form", op.form)):
            if model is not None:
                inputs.append(((kind, id(op)), "validation", TypeAdapter(model)))
    found, top = TypeAdapter.json_schemas(inputs, ref_template="#/components/schemas/{model}")
    refs = {key: found[(key, mode)] for key, mode, _ in inputs}
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(face, op, answers[id(op)] is not None, refs)
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": face.title, "version": __version__, "description": face.description},
        "paths": paths,
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {face.scheme: {"type": "http", "scheme": "bearer", "bearerFormat": "ul_<40 hex>"}},
        },
        "security": [{face.scheme: []}],
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc


def _operation(face: Face, op: Operation, answers: bool, refs: dict[Any, Any]) -> dict[str, Any]:
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
        **face.extensions(op),
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
    success: dict[str, Any] = {"description": "Success", "headers": face.rate_headers}
    if answers:
        success["content"] = {"application/json": {"schema": refs[("out", id(op))]}}
    if op.links:
        success["links"] = op.links
    responses: dict[str, Any] = {str(op.status): success}
    error = {"application/json": {"schema": refs["error"]}}
    codes = sorted({*op.errors, 405, 500} | ({413} if op.body is not None or op.form is not None else set()))
    for code in codes:
        entry: dict[str, Any] = {"description": face.error_descriptions[code], "content": error}
        if code == 429:
            entry["headers"] = {**face.rate_headers, "Retry-After": {"schema": {"type": "integer"}}}
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
