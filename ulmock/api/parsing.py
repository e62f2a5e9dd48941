"""Reading what a client sends: JSON bodies, multipart forms, validation into models (400, 413)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError
from starlette.datastructures import UploadFile
from starlette.requests import Request

from ulmock.api.operations import Operation
from ulmock.domain.errors import ValidationError

FORM_FIELD_LIMIT = 64 * 1024


def field_errors(exc: PydanticError) -> dict[str, str]:
    details: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        name = ".".join(str(p) for p in err["loc"]) or "body"
        details.setdefault(name, err["msg"])
    return details


def validate(model: type[BaseModel], data: Any, what: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        details = field_errors(exc)
        first = next(iter(details.items()))
        raise ValidationError(f"Invalid {what}: {first[0]}: {first[1]}", details) from None


async def read_json(request: Request, limit: int) -> Any:
    ctype = request.headers.get("content-type", "")
    body = await request.body()
    if len(body) > limit:
        raise ValidationError("Request body too large", {"body": f"at most {limit} bytes"}, status=413)
    if not body:
        return {}
    if ctype.split(";")[0].strip().lower() != "application/json":
        raise ValidationError("Content-Type must be application/json", {"content-type": ctype or "(none)"})
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("Request body is not valid UTF-8", {"body": "encoding"}) from None
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValidationError("JSON is nested too deeply", {"body": "too deep"}) from None
    except ValueError as exc:
        raise ValidationError(f"Malformed JSON: {exc}", {"body": "malformed JSON"}) from None
    try:  # "\ud800" is valid JSON but no valid text: it could be stored, then never answered
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        raise ValidationError("Request body has unpaired UTF-16 surrogates", {"body": "invalid Unicode"}) from None
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number {text[:40]} is out of range")
    return value


async def read_form(request: Request, op: Operation[Any]) -> tuple[dict[str, Any], dict[str, tuple[str, bytes, str]]]:
    ctype = request.headers.get("content-type", "")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > op.max_body:
        raise ValidationError("Request body too large", {"body": f"at most {op.max_body} bytes"}, status=413)
    if not ctype.lower().startswith("multipart/form-data"):
        raise ValidationError("Content-Type must be multipart/form-data", {"content-type": ctype or "(none)"})
    try:
        form = await request.form(max_files=4, max_fields=32, max_part_size=FORM_FIELD_LIMIT)
    except Exception as exc:  # multipart parser errors come in several types
        raise ValidationError(f"Malformed multipart body: {exc}", {"body": "malformed multipart"}) from None
    values: dict[str, Any] = {}
    files: dict[str, tuple[str, bytes, str]] = {}
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                files[name] = (value.filename or "", data, value.content_type or "application/octet-stream")
                values[name] = data
            else:
                values[name] = value
    finally:
        await form.close()
    for name in _file_fields(op.form):
        if name in values and name not in files:  # a text part would pass as bytes, then be missing
            raise ValidationError(
                f"'{name}' must be a file part (with a filename), not a text field", {name: "not a file"}
            )
    return values, files


def _file_fields(form: type[BaseModel] | None) -> list[str]:
    """The form's fields published as binary: they must come as file parts."""
    if form is None:
        return []
    return [
        n
        for n, f in form.model_fields.items()
        if isinstance(f.json_schema_extra, dict) and f.json_schema_extra.get("format") == "binary"
    ]
