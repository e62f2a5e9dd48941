"""The control API, `/_ulmock/...`: what a test or a demo operator does to the emulator.

Its operations are declared as the faces' are (`ControlRoutes`, one module per area) and
run by the same edge (`ulmock.api.pipeline.Edge`). What differs is the door: no Platform
key, no quota, no injected fault; the admin token when the emulator has one (health
never asks for it). Answers and refusals use the seed's envelopes, whichever face is
served. It is in neither OpenAPI document.

    world      health, reset, scenario, snapshot
    accounts   accounts, checkouts, buckets
    clock      the clock
    traffic    the request journal, injected faults
    webhooks   webhook endpoints and deliveries
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ulmock.api.control import accounts, clock, traffic, webhooks, world
from ulmock.api.control.door import AdminDoor, bearer_matches
from ulmock.api.control.routes import ControlCall
from ulmock.api.operations import Operation
from ulmock.api.pipeline import Edge

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from ulmock.emulator import Emulator

__all__ = ["bearer_matches", "control_routes", "operations"]

# A path under /_ulmock that nothing serves (the dashboard's are routed before these).
CATCH_ALL = ("/_ulmock/{rest:path}",)


def operations() -> list[Operation[ControlCall]]:
    return [op for area in (world, accounts, clock, traffic, webhooks) for op in area.routes.operations]


def control_routes(emulator: Emulator) -> list[BaseRoute]:
    return Edge(emulator, operations(), AdminDoor(emulator), CATCH_ALL, "control endpoint").routes()
