"""Declaring the control API's operations, as the faces declare theirs:

    routes = ControlRoutes("clock")

    @routes.post("/_ulmock/clock/advance", body=ClockAdvance)
    async def advance_clock(call: ControlCall) -> dict[str, Any]: ...

An operation needs the admin token (`scope="admin"`, the default) unless it says
`scope=None`; only health does. A handler returns its value, answered in the seed's
success envelope with the declared status, or a Response of its own. A sync handler
runs under the world lock (as on the faces); one that waits (the clock, a snapshot, a
scenario) is async and takes the lock itself where it must.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import Response

from ulmock.api.operations import BaseCall, Handler, Routes
from ulmock.api.reference import envelope

if TYPE_CHECKING:
    from ulmock.domain.backend import Platform
    from ulmock.emulator import Emulator

ADMIN = "admin"  # the scope of the admin token: every control operation but health
BULK_BODY_LIMIT = 1024 * 1024 * 1024  # a snapshot, or a bucket's objects: a world's blobs


@dataclass
class ControlCall(BaseCall):
    """What a control handler gets: the emulator, the request, its validated input."""

    emulator: Emulator
    request: Request
    params: dict[str, str]

    @property
    def platform(self) -> Platform:
        """The world served now (loading a scenario replaces it): read it under the lock."""
        return self.emulator.platform


class ControlRoutes(Routes[ControlCall]):
    """A control module's operations: the admin token's scope and the success envelope unless they say otherwise."""

    def _add(self, method: str, path: str, **options: Any) -> Callable[[Handler[ControlCall]], Handler[ControlCall]]:
        options.setdefault("scope", ADMIN)
        options.setdefault("render", envelope.ok)
        return super()._add(method, path, **options)


class ControlBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


def listed(items: list[Any]) -> Response:
    """A whole list in the success envelope, with its length as `meta.total`."""
    return envelope.json_response({"success": True, "data": items, "meta": {"total": len(items)}})
