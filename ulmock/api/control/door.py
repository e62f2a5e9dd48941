"""The control API's door: the admin token, when the emulator has one.

No Platform key, no quota, no injected fault: a test steering the emulator is never
refused for the traffic it steers. Refusals and answers are in the seed's envelope.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from ulmock.api.control.routes import ControlCall
from ulmock.api.operations import Operation
from ulmock.api.reference import envelope
from ulmock.domain.errors import ApiError, Unauthorized

if TYPE_CHECKING:
    from ulmock.emulator import Emulator


def bearer_matches(authorization: str, token: str) -> bool:
    """`Authorization: Bearer <token>` with exactly this token (a bare token is refused);
    the control API's door and the dashboard's."""
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())


class AdminDoor:
    """`Authorization: Bearer <admin token>` for an operation with a scope, when there is a token."""

    def __init__(self, emulator: Emulator):
        self.emulator = emulator

    def enter(self, request: Request, op: Operation[ControlCall]) -> ControlCall:
        if op.scope is not None and not self.admits(request):
            raise Unauthorized("The control API needs the admin token: 'Authorization: Bearer <token>'")
        return ControlCall(self.emulator, request, dict(request.path_params))

    def admits(self, request: Request) -> bool:
        token = self.emulator.admin_token
        return token is None or bearer_matches(request.headers.get("authorization", ""), token)

    def error(self, err: ApiError) -> Response:
        return envelope.error(err)
