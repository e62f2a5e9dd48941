"""The live face as an ASGI app: its operations behind the shared edge, its OpenAPI, and
the bucket-like `PUT` of signed uploads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router
from starlette.types import ASGIApp

from ulmock.api.files import verify_signature
from ulmock.api.pipeline import ApiEdge
from ulmock.api.platform import mobile, operations, rate_categories
from ulmock.api.platform.openapi import build_openapi
from ulmock.api.platform.policy import PlatformPolicy, error_response
from ulmock.api.refusals import refusal_handlers
from ulmock.domain.errors import ApiError, ValidationError
from ulmock.domain.limits import UPLOAD_LIMIT

if TYPE_CHECKING:
    from ulmock.emulator import Emulator

# Paths this face serves itself; everything else is common to both faces.
PATHS = ("/api", "/openapi.json", "/files/uploads/sessions/")


def platform_face(emulator: Emulator) -> ASGIApp:
    ops = operations()
    cache: dict[str, Any] = {}

    async def openapi(request: Request) -> Response:
        if "doc" not in cache:
            cache["doc"] = build_openapi(ops)
        return JSONResponse(cache["doc"])

    async def put_upload(request: Request) -> Response:
        """The bytes of a signed upload: no key, the URL's signature and expiry are the authority."""
        try:
            with emulator.lock:
                verify_signature(emulator, request)
            data = await _read(request)
            with emulator.lock:
                session = emulator.platform.uploads.receive(request.path_params["sessionId"], data)
                if session.filename != request.path_params["name"]:
                    raise ValidationError("File name does not match the signed URL")
            return Response(status_code=200)
        except ApiError as err:
            return error_response(err)

    edge = ApiEdge(emulator, ops, PlatformPolicy(rate_categories()))
    router = Router(
        routes=[
            mobile.resolve_route(emulator),  # takes no key: before the edge's routes
            *edge.routes(),
            Route("/openapi.json", openapi, methods=["GET"]),
            Route("/files/uploads/sessions/{sessionId}/{name}", put_upload, methods=["PUT"]),
        ]
    )
    # Methods no route takes (TRACE, ...) and unmatched paths answer in this face's shape too.
    return ExceptionMiddleware(router, handlers=refusal_handlers(error_response))


async def _read(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    too_large = ValidationError("Upload too large", {"body": f"at most {UPLOAD_LIMIT} bytes"}, status=413)
    if declared.isdigit() and int(declared) > UPLOAD_LIMIT:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > UPLOAD_LIMIT:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)
