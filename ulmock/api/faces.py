"""Sending `/api` and `/openapi.json` to the face the emulator serves at this moment.

The face is read per request, so loading a scenario that says `api: platform` (or
`POST /_ulmock/scenario` with `api`) switches a running server without a restart.
The reference face is the app's own routes; other faces are separate routers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from ulmock.emulator import Emulator


class FaceSwitch:
    def __init__(self, app: ASGIApp, emulator: Emulator, faces: dict[str, tuple[ASGIApp, tuple[str, ...]]]):
        """`faces`: name -> (its app, the path prefixes it serves itself)."""
        self.app = app
        self.emulator = emulator
        self.faces = faces

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        face = self.faces.get(self.emulator.api) if scope["type"] == "http" else None
        if face is not None:
            path = scope["path"]
            app, prefixes = face
            if any(path == p or path.startswith(p if p.endswith("/") else p + "/") for p in prefixes):
                await app(scope, receive, send)
                return
        await self.app(scope, receive, send)
