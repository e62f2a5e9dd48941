"""Declaring `/api` operations, and the edge that runs each one.

An `Operation` says everything about one endpoint once: method, path, scope, the models
that validate its query, body or form, and the view it answers with. The same table
drives routing, authentication, validation and the OpenAPI document.

Each call goes: authenticate (401) -> count against the rate limit (429) -> check the
key's scope (403) -> parse and validate input (400) -> one handler -> envelope. Every
authenticated answer, errors included, carries the rate-limit headers.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound, Route
from starlette.types import Receive, Scope, Send

from ulmock.api.reference import envelope
from ulmock.domain.entities import Account, ApiKey
from ulmock.domain.errors import ApiError, InternalError, NotFound, ValidationError
from ulmock.api.faults import ActiveFault

if TYPE_CHECKING:
    from ulmock.domain.backend import Platform
    from ulmock.emulator import Emulator

log = logging.getLogger("ulmock")

JSON_BODY_LIMIT = 1024 * 1024
# Routes accept every method so a wrong one gets our 405 envelope, not a bare one.
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
FORM_FIELD_LIMIT = 64 * 1024


@dataclass
class Call:
    """What a handler gets: the caller, the validated input, and where it came from."""

    platform: Platform
    emulator: Emulator
    account: Account
    key: ApiKey
    request: Request
    params: dict[str, str]
    query: Any = None
    body: Any = None
    form: Any = None
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.emulator.public_url(self.request)


Handler = Callable[[Call], Any] | Callable[[Call], Awaitable[Any]]
"""Returns a Response, or a value the operation's `render` answers with its declared status."""
Render = Callable[[Any, int], Response]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    handler: Handler
    scope: str | None
    summary: str
    tag: str
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    form: type[BaseModel] | None = None
    response: Any = None
    paginated: bool = False
    status: int = 200
    errors: tuple[int, ...] = (400, 401, 403, 404, 429)
    raw_response: Any = None
    max_body: int = JSON_BODY_LIMIT
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    render: Render | None = None

    @property
    def operation_id(self) -> str:
        return self.handler.__name__.strip("_")


class Routes:
    """A module's operations, declared with decorators next to their handlers."""

    def __init__(self, tag: str):
        self.tag = tag
        self.operations: list[Operation] = []

    def _add(self, method: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            summary = options.pop("summary", None) or (inspect.getdoc(handler) or "").split("\n")[0]
            self.operations.append(Operation(method, path, handler, summary=summary, tag=self.tag, **options))
            return handler

        return register

    def get(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self._add("GET", path, **options)

    def post(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self._add("POST", path, **options)

    def delete(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self._add("DELETE", path, **options)

    def put(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self._add("PUT", path, **options)

    def patch(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self._add("PATCH", path, **options)


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
        raise ValidationError(
            "Content-Type must be application/json", {"content-type": ctype or "(none)"}
        )
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


async def read_form(request: Request, op: Operation) -> tuple[dict[str, Any], dict[str, tuple[str, bytes, str]]]:
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
            raise ValidationError(f"'{name}' must be a file part (with a filename), not a text field", {name: "not a file"})
    return values, files


def _file_fields(form: type[BaseModel] | None) -> list[str]:
    """The form's fields published as binary: they must come as file parts."""
    if form is None:
        return []
    return [n for n, f in form.model_fields.items() if isinstance(f.json_schema_extra, dict)
            and f.json_schema_extra.get("format") == "binary"]  # fmt: skip


async def inject(fault: ActiveFault, request: Request) -> None:
    """Play an injected fault: wait its latency (real time: client timeouts are real), then fail if it says so."""
    spec = fault.spec
    request.scope.setdefault("state", {})["ulmock.fault"] = f"fault {fault.id}: " + (
        f"{spec.status or ''} {spec.code or ''}".strip() or f"{spec.latencyMs} ms"
    )
    if spec.latencyMs:
        await asyncio.sleep(spec.latencyMs / 1000)
    err = spec.error()
    if err is not None:
        raise err


class FacePolicy(Protocol):
    """What differs between API faces at the edge: how errors look, how calls are counted."""

    def error(self, err: ApiError) -> Response: ...

    def count(self, platform: Platform, account: Account, key: ApiKey, op: Operation) -> dict[str, str]:
        """Count one call against the caller's quota; the headers every answer carries. Raises when over."""
        ...


class ReferencePolicy:
    """The seed's face: the error envelope, per-account minute and day quotas."""

    def error(self, err: ApiError) -> Response:
        return envelope.error(err)

    def count(self, platform: Platform, account: Account, key: ApiKey, op: Operation) -> dict[str, str]:
        per_minute, per_day = platform.accounts.limits(account)
        return platform.rate_limits.hit(account.id, per_minute, per_day).headers()


REFERENCE = ReferencePolicy()


class ApiEdge:
    """Builds one Starlette route per path, dispatching methods to operations."""

    def __init__(self, emulator: Emulator, operations: list[Operation], policy: FacePolicy = REFERENCE):
        self.emulator = emulator
        self.operations = operations
        self._async: dict[int, bool] = {}
        self.policy = policy

    def routes(self) -> list[BaseRoute]:
        by_path: dict[str, dict[str, Operation]] = {}
        for op in self.operations:
            by_path.setdefault(op.path, {})[op.method] = op
        routes = [Route(path, self._endpoint(ops), methods=ALL_METHODS) for path, ops in by_path.items()]
        routes.append(Route("/api/{rest:path}", self._unknown, methods=ALL_METHODS))
        routes.append(Route("/api", self._unknown, methods=ALL_METHODS))
        return [IndexedRoutes(routes)]

    def _endpoint(self, ops: dict[str, Operation]) -> Callable[[Request], Awaitable[Response]]:
        allowed = ", ".join(sorted(ops))

        async def endpoint(request: Request) -> Response:
            op = ops.get(request.method)
            if op is None:
                err = ValidationError(f"Method {request.method} is not allowed here", {"allowed": allowed}, status=405)
                err.headers["Allow"] = allowed
                return self.policy.error(err)
            return await self.run(op, request)

        return endpoint

    async def _unknown(self, request: Request) -> Response:
        return self.policy.error(NotFound(f"No such endpoint: {request.method} {request.url.path}"))

    async def run(self, op: Operation, request: Request) -> Response:
        emulator = self.emulator
        scope = request.scope
        rate_headers: dict[str, str] = {}
        try:
            with emulator.lock:
                platform = emulator.platform
                account, key = platform.accounts.authenticate(_authorization(scope))
                scope.setdefault("state", {})["ulmock.account"] = account.username
                rate_headers = self.policy.count(platform, account, key, op)
                platform.accounts.require_scope(key, op.scope)
                fault = emulator.faults.pick(scope["method"], _url_path(request), account.username)
            if fault is not None:
                await inject(fault, request)
            call = Call(platform, emulator, account, key, request, dict(request.path_params))
            if op.query is not None:
                query = dict(request.query_params) if scope["query_string"] else {}
                call.query = validate(op.query, query, "query parameter")
            if op.body is not None:
                call.body = validate(op.body, await read_json(request, op.max_body), "request body")
            if op.form is not None:
                values, call.files = await read_form(request, op)
                call.form = validate(op.form, values, "form field")
            if self._is_async(op):
                response = _answer(op, await cast(Awaitable[Any], op.handler(call)))
            else:
                with emulator.lock:  # a view may hold the records' own lists: rendered under the lock
                    response = _answer(op, op.handler(call))
        except ApiError as err:
            response = self.policy.error(err)
        except Exception:
            log.exception("unhandled error in %s %s", op.method, op.path)
            response = self.policy.error(InternalError("Internal server error"))
        # Appended raw: these names are never already set, and MutableHeaders scans per key.
        response.raw_headers.extend((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in rate_headers.items())
        return response

    def _is_async(self, op: Operation) -> bool:
        known = self._async.get(id(op))
        if known is None:  # inspect's check costs a microsecond: once per operation
            known = self._async[id(op)] = inspect.iscoroutinefunction(op.handler)
        return known


def _answer(op: Operation, result: Any) -> Response:
    """The handler's Response as it is, or its value rendered with the operation's declared status."""
    if isinstance(result, Response):
        return result
    if op.render is None:
        raise TypeError(f"{op.operation_id} returned {type(result).__name__} and declares no render")
    return op.render(result, op.status)


def _authorization(scope: Scope) -> str | None:
    """The Authorization header, as `request.headers.get` reads it (the first one)."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            return str(value.decode("latin-1"))
    return None


def _url_path(request: Request) -> str:
    """`request.url.path` without building the URL, where the two cannot differ."""
    path: str = request.scope["path"]
    if "?" in path or "#" in path or "\\" in path or path.startswith("//"):
        return request.url.path
    return path


class IndexedRoutes(BaseRoute):
    """Routes that Starlette would try one by one, found through an index instead.

    Same answers as listing them in the router (first match in order wins, a method
    they do not take is a partial match), but a literal path is one dict lookup and
    a templated one is tried only where its literal prefix fits; a full match calls
    the endpoint directly, without a wrapper per request (handlers answer every error
    themselves, so the wrapper's exception handling never had work to do).
    """

    def __init__(self, routes: list[Route]):
        self.routes = routes
        self._literal: dict[str, Route] = {}
        for route in routes:
            if "{" not in route.path:  # the first route whose pattern takes this literal path
                self._literal.setdefault(route.path, next(r for r in routes if r.path_regex.match(route.path)))
        self._templated = [(r.path.split("{", 1)[0], r) for r in routes if "{" in r.path]

    def _find(self, path: str) -> tuple[Route, dict[str, Any]] | None:
        route = self._literal.get(path)
        if route is not None:
            return route, {}
        for prefix, route in self._templated:
            if path.startswith(prefix):
                found = route.path_regex.match(path)
                if found:
                    return route, {k: route.param_convertors[k].convert(v) for k, v in found.groupdict().items()}
        return None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        found = self._find(get_route_path(scope))
        if found is None:
            return Match.NONE, {}
        route, params = found
        child = {"endpoint": route.endpoint, "path_params": {**scope.get("path_params", {}), **params},
                 "ulmock.route": route}  # fmt: skip
        return (Match.PARTIAL if _refuses(route, scope["method"]) else Match.FULL), child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: Route = scope["ulmock.route"]
        if _refuses(route, scope["method"]):
            await route.handle(scope, receive, send)  # its 405, exactly as the router would give it
            return
        response = await route.endpoint(Request(scope, receive, send))
        await response(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, path_params)


def _refuses(route: Route, method: str) -> bool:
    return route.methods is not None and method not in route.methods
