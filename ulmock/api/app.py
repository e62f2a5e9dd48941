"""create_app: an Emulator wrapped in HTTP (the Platform API, signed files, pages, control)."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from ulmock.api.control import control_routes
from ulmock.api.faces import FaceErrors, FaceSwitch
from ulmock.api.files import file_routes
from ulmock.api.middleware.journal import JournalMiddleware
from ulmock.api.middleware.limits import BodyLimitMiddleware
from ulmock.api.middleware.safety import SafetyNetMiddleware
from ulmock.api.pages import BillingPages
from ulmock.api.pipeline import ApiEdge
from ulmock.api.platform import edge as platform_edge
from ulmock.api.platform.policy import error_response as platform_error
from ulmock.api.platform.service import DeploymentEndpoints
from ulmock.api.reference import all_operations, envelope
from ulmock.api.reference.openapi import build_openapi
from ulmock.api.reference.policy import ReferencePolicy
from ulmock.api.route_index import compiled_route
from ulmock.emulator import Emulator
from ulmock.ui import Dashboard


class LeanApp(Starlette):
    """Starlette without its two outer layers (the traceback page, the exception handlers):
    ulmock's safety net answers every exception, a router's 404 and 405 included, in the
    request's face's shape, and each layer was a cost on every call."""

    def build_middleware_stack(self) -> ASGIApp:
        app: ASGIApp = self.router
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return app


def create_app(emulator: Emulator | None = None, **options: Any) -> Starlette:
    """The ASGI app. Pass an Emulator, or options to build one (see `ulmock.scenarios.build_emulator`)."""
    if emulator is None:
        from ulmock.scenarios import build_emulator

        emulator = build_emulator(**options)
    operations = all_operations()
    openapi_cache: dict[str, Any] = {}

    async def openapi(request: Request) -> Response:
        if "doc" not in openapi_cache:
            openapi_cache["doc"] = build_openapi(operations)
        return JSONResponse(openapi_cache["doc"])

    async def root(request: Request) -> Response:
        return envelope.ok({"service": "ulmock", "api": "/api", "openapi": "/openapi.json", "control": "/_ulmock"})

    routes = [
        *ApiEdge(emulator, operations, ReferencePolicy()).routes(),
        *DeploymentEndpoints(emulator).routes(),  # the live face's deployment serviceUrl
        *file_routes(emulator),
        *BillingPages(emulator).routes(),
        *Dashboard(emulator).routes(),  # before the control API: its /_ulmock/{rest} catch-all
        *control_routes(emulator),
        compiled_route("/openapi.json", openapi, methods=["GET"]),
        compiled_route("/", root, methods=["GET"]),
    ]

    def served() -> str:
        return emulator.api

    errors_for = FaceErrors(served, {"platform": (platform_error, platform_edge.PATHS)})
    app = LeanApp(
        routes=routes,
        middleware=[
            Middleware(SafetyNetMiddleware, errors_for=errors_for),
            Middleware(JournalMiddleware, journal=emulator.journal, now=emulator.clock.now),
            Middleware(BodyLimitMiddleware, errors_for=errors_for),
            # /api and /openapi.json of the face served now (the reference face is the routes above)
            Middleware(
                FaceSwitch,
                served=served,
                faces={"platform": (lambda: platform_edge.platform_face(emulator), platform_edge.PATHS)},
            ),
        ],
    )
    app.state.emulator = emulator
    return app
