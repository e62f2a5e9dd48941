"""The edge that runs each declared operation, the same way for every API it serves.

Each call goes: through the API's door (who is calling, on what terms) -> play the
injected fault the door found, if any -> parse and validate input (400, 413) -> one
handler -> its answer, rendered with the operation's declared status; the headers the
door gave the call go on every answer to it, errors included. A path the table does not
have is a 404 and a method it does not take a 405 with `Allow`, in the API's shape.

What differs between the APIs is their `Door`. The faces' `KeyDoor` authenticates the
API key (401), counts the call against the face's quota (429, and the rate-limit headers),
checks the key's scope (403) and finds the fault; a face's `FacePolicy` says how its
errors look and how it counts. The control API's door asks for the admin token.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, Protocol, cast

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Scope

from ulmock.api.faults import ActiveFault
from ulmock.api.operations import C, Call, Operation
from ulmock.api.parsing import read_form, read_json, validate
from ulmock.api.refusals import no_such, not_allowed
from ulmock.api.route_index import IndexedRoutes, compiled_route
from ulmock.domain.entities import Account, ApiKey
from ulmock.domain.errors import ApiError, InternalError
from ulmock.domain.memo import Memo

if TYPE_CHECKING:
    from ulmock.domain.backend import Platform
    from ulmock.emulator import Emulator

log = logging.getLogger("ulmock")

# Routes accept every method so a wrong one gets the face's 405, not a bare one.
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# The faces' paths that no operation declares: their 404.
API_CATCH_ALL = ("/api/{rest:path}", "/api")


class Door(Protocol[C]):
    """Who may call an API, on what terms, and how its refusals look."""

    def enter(self, request: Request, op: Operation[C]) -> C:
        """The call, once its caller is let in; raises the refusal (401, 403, 429) otherwise."""
        ...

    def error(self, err: ApiError) -> Response: ...


class FacePolicy(Protocol):
    """What differs between API faces at the edge: how errors look, how calls are counted."""

    def error(self, err: ApiError) -> Response: ...

    def count(self, platform: Platform, account: Account, key: ApiKey, op: Operation) -> dict[str, str]:
        """Count one call against the caller's quota; the headers every answer carries. Raises when over."""
        ...


class KeyDoor:
    """A face's door: an API key (401), counted against the face's quota (429), holding the
    operation's scope (403); then the injected fault the request meets, if any."""

    def __init__(self, emulator: Emulator, policy: FacePolicy):
        self.emulator = emulator
        self.policy = policy

    def enter(self, request: Request, op: Operation) -> Call:
        emulator = self.emulator
        scope = request.scope
        with emulator.lock:
            platform = emulator.platform
            account, key = platform.accounts.authenticate(_authorization(scope))
            scope.setdefault("state", {})["ulmock.account"] = account.username
            headers = self.policy.count(platform, account, key, op)
            try:
                platform.accounts.require_scope(key, op.scope)
            except ApiError as err:  # counted all the same: the refusal tells the quota left
                err.headers.update(headers)
                raise
            fault = emulator.faults.pick(scope["method"], _url_path(request), account.username)
        return Call(platform, emulator, account, key, request, dict(request.path_params), headers=headers, fault=fault)

    def error(self, err: ApiError) -> Response:
        return self.policy.error(err)


class Edge(Generic[C]):
    """Builds one Starlette route per path, dispatching methods to operations behind `door`.

    `catch_all`: the paths whose unknown endpoints get this edge's 404 (`No such <what>`)."""

    def __init__(
        self,
        emulator: Emulator,
        operations: list[Operation[C]],
        door: Door[C],
        catch_all: tuple[str, ...],
        what: str = "endpoint",
    ):
        self.emulator = emulator
        self.operations = operations
        self.door = door
        self.catch_all = catch_all
        self.what = what
        self._async: dict[int, bool] = {}
        self._no_query: dict[int, BaseModel] = {}

    def routes(self) -> list[BaseRoute]:
        return list(self._routes())

    def _routes(self) -> list[Route]:
        by_path: dict[str, dict[str, Operation[C]]] = {}
        for op in self.operations:
            by_path.setdefault(op.path, {})[op.method] = op
        routes = [compiled_route(path, self._endpoint(ops), ALL_METHODS) for path, ops in by_path.items()]
        routes.extend(compiled_route(path, self._unknown, ALL_METHODS) for path in self.catch_all)
        return routes

    def _endpoint(self, ops: dict[str, Operation[C]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            op = ops.get(request.method)
            if op is None:  # "GET, POST": worked out here, not for every path of every app
                return self.door.error(not_allowed(request.method, ", ".join(sorted(ops))))
            return await self.run(op, request)

        return endpoint

    async def _unknown(self, request: Request) -> Response:
        return self.door.error(no_such(request.method, request.url.path, self.what))

    async def run(self, op: Operation[C], request: Request) -> Response:
        door = self.door
        call: C | None = None
        try:
            call = door.enter(request, op)
            if call.fault is not None:
                await inject(call.fault, request)
            if op.query is not None:
                call.query = self._query(op, request)
            if op.body is not None:
                call.body = validate(op.body, await read_json(request, op.max_body), "request body")
            if op.form is not None:
                values, call.files = await read_form(request, op)
                call.form = validate(op.form, values, "form field")
            if self._is_async(op):
                result = await cast(Awaitable[Any], op.handler(call))
                response = result if isinstance(result, Response) else _render(op, result)
            else:
                with self.emulator.lock:  # a view may hold the records' own lists: rendered under the lock
                    result = op.handler(call)
                    response = result if isinstance(result, Response) else _render(op, result)
        except ApiError as err:
            response = door.error(err)
        except Exception:
            log.exception("unhandled error in %s %s", op.method, op.path)
            response = door.error(InternalError("Internal server error"))
        if call is not None and call.headers:
            # Appended raw: these names are never already set, and MutableHeaders scans per key.
            response.raw_headers.extend((_raw_name(k), v.encode("latin-1")) for k, v in call.headers.items())
        return response

    def _query(self, op: Operation[C], request: Request) -> BaseModel:
        assert op.query is not None
        if request.scope["query_string"]:
            return validate(op.query, dict(request.query_params), "query parameter")
        # Most calls send no query string: its answer (all defaults) is worked out once per
        # operation and shared, which only a frozen model allows. A required parameter
        # raises here every time, and is never remembered.
        known = self._no_query.get(id(op))
        if known is None:
            known = validate(op.query, {}, "query parameter")
            if op.query.model_config.get("frozen"):
                self._no_query[id(op)] = known
        return known

    def _is_async(self, op: Operation[C]) -> bool:
        known = self._async.get(id(op))
        if known is None:  # inspect's check costs a microsecond: once per operation
            known = self._async[id(op)] = inspect.iscoroutinefunction(op.handler)
        return known


class ApiEdge(Edge[Call]):
    """A face's edge: its operations under `/api`, behind the key door with the face's policy.

    Its routes are found through an index: `/api` is the hot path, through dozens of paths."""

    def __init__(self, emulator: Emulator, operations: list[Operation], policy: FacePolicy):
        super().__init__(emulator, operations, KeyDoor(emulator, policy), API_CATCH_ALL)

    def routes(self) -> list[BaseRoute]:
        return [IndexedRoutes(self._routes())]


# A header's name as it goes on the wire (lower case, bytes), made once per name.
def _wire_name(name: str) -> bytes:
    return name.lower().encode("latin-1")


_raw_name = Memo(_wire_name).__getitem__


def _render(op: Operation[Any], result: Any) -> Response:
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
