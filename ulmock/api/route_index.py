"""Finding the route of a path through an index, the way Starlette's router would find it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any

from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound, Route, get_name, request_response
from starlette.types import Receive, Scope, Send


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
        child = {
            "endpoint": route.endpoint,
            "path_params": {**scope.get("path_params", {}), **params},
            "ulmock.route": route,
        }
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


Endpoint = Callable[[Request], Awaitable[Response]]
_COMPILED: dict[tuple[str, frozenset[str]], Route] = {}


async def _unbound(request: Request) -> Response:
    raise AssertionError("a route template is never served")


def compiled_route(path: str, endpoint: Endpoint, methods: Collection[str]) -> Route:
    """`Route(path, endpoint, methods=methods)`, with the path compiled once per process.

    Every app (one per test) routes the same ~120 paths; compiling their patterns was
    a third of building an app. A copy of a template shares the compiled pattern and
    takes its own endpoint."""
    key = (path, frozenset(methods))
    template = _COMPILED.get(key)
    if template is None:
        template = _COMPILED[key] = Route(path, _unbound, methods=methods)
    route = Route.__new__(Route)
    route.__dict__.update(vars(template))
    route.endpoint, route.name, route.app = endpoint, get_name(endpoint), request_response(endpoint)
    return route


def _refuses(route: Route, method: str) -> bool:
    return route.methods is not None and method not in route.methods
