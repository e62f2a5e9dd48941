"""The traffic through the faces: the journal that records each request, and the faults
injected into them (matched by method, path and account; a status and code, a latency,
sometimes or the next N times)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from ulmock.api.control.routes import ControlCall, ControlRoutes, listed
from ulmock.api.faults import ActiveFault, FaultSpec

routes = ControlRoutes("traffic")


class RequestsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    method: str | None = None
    path: str | None = None
    status: int | None = None
    account: str | None = None
    limit: int | None = Field(None, ge=1, le=10_000)


def fault_view(fault: ActiveFault) -> dict[str, Any]:
    return {
        "id": fault.id,
        **fault.spec.model_dump(exclude_none=True),
        "remaining": fault.remaining,
        "hits": fault.hits,
    }


@routes.get("/_ulmock/requests", query=RequestsQuery)
async def list_requests(call: ControlCall) -> Response:
    """The journal: method, path, status, account and time of each request, filtered."""
    q: RequestsQuery = call.query
    entries = call.emulator.journal.query(q.method, q.path, q.status, q.account, q.limit)
    return listed([e.as_dict() for e in entries])


@routes.delete("/_ulmock/requests")
async def clear_requests(call: ControlCall) -> dict[str, Any]:
    """Empty the journal."""
    return {"cleared": call.emulator.journal.clear()}


@routes.get("/_ulmock/faults")
async def list_faults(call: ControlCall) -> list[dict[str, Any]]:
    """The faults in force, in the order they are matched."""
    return [fault_view(f) for f in call.emulator.faults.active()]


@routes.post("/_ulmock/faults", body=FaultSpec, status=201)
async def add_fault(call: ControlCall) -> dict[str, Any]:
    """Inject a fault into the requests it matches."""
    return fault_view(call.emulator.faults.add(call.body))


@routes.delete("/_ulmock/faults")
async def clear_faults(call: ControlCall) -> dict[str, Any]:
    """Remove every fault."""
    return {"cleared": call.emulator.faults.clear()}
