"""The live face as an ASGI app: its operations behind the shared edge, and its OpenAPI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router

from ulmock.api.platform import operations, rate_categories
from ulmock.api.platform.openapi import build_openapi
from ulmock.api.platform.policy import PlatformPolicy
from ulmock.routing import ApiEdge

if TYPE_CHECKING:
    from ulmock.emulator import Emulator


def platform_face(emulator: Emulator) -> Router:
    ops = operations()
    cache: dict[str, Any] = {}

    async def openapi(request: Request) -> Response:
        if "doc" not in cache:
            cache["doc"] = build_openapi(ops)
        return JSONResponse(cache["doc"])

    edge = ApiEdge(emulator, ops, PlatformPolicy(rate_categories()))
    return Router(routes=[*edge.routes(), Route("/openapi.json", openapi, methods=["GET"])])
