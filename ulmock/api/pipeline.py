"""The edge that runs each operation of a face, the same way for both.

Each call goes: authenticate (401) -> count against the face's quota (429) -> check the
key's scope (403) -> play an injected fault -> parse and validate input (400) -> one
handler -> its answer, rendered with the operation's declared status. Every
authenticated answer, errors included, carries the rate-limit headers. What differs
between faces (how errors look, how calls are counted) is the `FacePolicy`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Scope

from ulmock.api.faults import ActiveFault
from ulmock.api.operations import Call, Operation
from ulmock.api.parsing import read_form, read_json, validate
from ulmock.api.route_index import IndexedRoutes, compiled_route
from ulmock.domain.entities import Account, ApiKey
from ulmock.domain.errors import ApiError, InternalError, NotFound, ValidationError

if TYPE_CHECKING:
    from ulmock.domain.backend import Platform
    from ulmock.emulator import Emulator

log = logging.getLogger("ulmock")

# Routes accept every method so a wrong one gets the face's 405, not a bare one.
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class FacePolicy(Protocol):
    """What differs between API faces at the edge: how errors look, how calls are counted."""

    def error(self, err: ApiError) -> Response: ...

    def count(self, platform: Platform, account: Account, key: ApiKey, op: Operation) -> dict[str, str]:
        """Count one call against the caller's quota; the headers every answer carries. Raises when over."""
        ...


class ApiEdge:
    """Builds one Starlette route per path, dispatching methods to operations."""

    def __init__(self, emulator: Emulator, operations: list[Operation], policy: FacePolicy):
        self.emulator = emulator
        self.operations = operations
        self._async: dict[int, bool] = {}
        self.policy = policy

    def routes(self) -> list[BaseRoute]:
        by_path: dict[str, dict[str, Operation]] = {}
        for op in self.operations:
            by_path.setdefault(op.path, {})[op.method] = op
        routes = [compiled_route(path, self._endpoint(ops), ALL_METHODS) for path, ops in by_path.items()]
        routes.append(compiled_route("/api/{rest:path}", self._unknown, ALL_METHODS))
        routes.append(compiled_route("/api", self._unknown, ALL_METHODS))
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
                result = await cast(Awaitable[Any], op.handler(call))
                response = result if isinstance(result, Response) else _render(op, result)
            else:
                with emulator.lock:  # a view may hold the records' own lists: rendered under the lock
                    result = op.handler(call)
                    response = result if isinstance(result, Response) else _render(op, result)
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


def _render(op: Operation, result: Any) -> Response:
    """A handler's value (not a Response), rendered with the operation's declared status."""
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
