"""Sending `/api` and `/openapi.json` to the face the emulator serves at this moment.

The face is read per request, so loading a scenario that says `api: platform` (or
`POST /_ulmock/scenario` with `api`) switches a running server without a restart.
The reference face is the app's own routes; other faces are separate routers.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from ulmock.api.reference import envelope
from ulmock.api.refusals import ErrorRenderer

# The name of the face served now ("reference", "platform"), read per request.
FaceName = Callable[[], str]


class FaceSwitch:
    def __init__(self, app: ASGIApp, served: FaceName, faces: dict[str, tuple[Callable[[], ASGIApp], tuple[str, ...]]]):
        """`faces`: name -> (what builds its app, the path prefixes it serves itself).

        A face's app is built on its first request: the pytest fixture makes an app per
        test, and most never call the face they do not serve."""
        self.app = app
        self.served = served
        self.faces = faces
        self._built: dict[str, ASGIApp] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = self.served()
        face = self.faces.get(name) if scope["type"] == "http" else None
        if face is not None:
            build, prefixes = face
            if serves(prefixes, scope["path"]):
                app = self._built.get(name)
                if app is None:
                    app = self._built[name] = build()
                await app(scope, receive, send)
                return
        await self.app(scope, receive, send)


def serves(prefixes: tuple[str, ...], path: str) -> bool:
    return any(path == p or path.startswith(p if p.endswith("/") else p + "/") for p in prefixes)


class FaceErrors:
    """The error shape for a request: its face's where the face serves the path, else the
    envelope. The outer middleware (body limit, the last-resort 500) answers through it, so
    a refusal there looks like every other refusal of the face."""

    def __init__(self, served: FaceName, faces: dict[str, tuple[ErrorRenderer, tuple[str, ...]]]):
        self.served = served
        self.faces = faces

    def __call__(self, scope: Scope) -> ErrorRenderer:
        face = self.faces.get(self.served())
        if face is not None and serves(face[1], scope.get("path", "")):
            return face[0]
        return envelope.error
