"""The emulator as a whole: liveness, reset, loading a scenario, the snapshot out and back in."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from starlette.concurrency import run_in_threadpool

from ulmock.api.control.routes import BULK_BODY_LIMIT, ControlBody, ControlCall, ControlRoutes
from ulmock.api.parsing import read_json
from ulmock.domain.clock import iso
from ulmock.domain.errors import ValidationError
from ulmock.scenarios import ScenarioError, load_scenario, parse_scenario_text, play
from ulmock.snapshots import SnapshotError

routes = ControlRoutes("world")


class ScenarioRequest(ControlBody):
    name: str | None = Field(None, max_length=500)
    yaml: str | None = Field(None, max_length=10 * 1024 * 1024)
    api: Literal["reference", "platform"] | None = Field(
        None, description="the face to serve (default: the scenario's)"
    )


@routes.get("/_ulmock/health", scope=None)
async def health(call: ControlCall) -> dict[str, Any]:
    """Liveness; open even where the admin token guards the rest."""
    e = call.emulator
    return {"status": "ok", "scenario": e.name, "now": iso(e.clock.now())}


@routes.post("/_ulmock/reset")
async def reset(call: ControlCall) -> dict[str, Any]:
    """Back to the loaded scenario's initial state."""
    e = call.emulator
    e.reset()
    return {"reset": True, "scenario": e.name, "now": iso(e.clock.now())}


@routes.post("/_ulmock/scenario", body=ScenarioRequest)
async def load(call: ControlCall) -> dict[str, Any]:
    """Body `{name}` (bundled or a path) or `{yaml}` (the file's text)."""
    body: ScenarioRequest = call.body
    e = call.emulator
    try:
        if body.yaml is not None:
            world = parse_scenario_text(body.yaml, body.name or "inline")
        elif body.name is not None:
            world = load_scenario(body.name)
        else:
            raise ValidationError("Give a scenario 'name' or its 'yaml'", {"name": "or yaml"})
        play(e, world, body.api)
    except ScenarioError as exc:
        raise ValidationError(
            f"Scenario error: {exc}", {"file": exc.file, "line": exc.line, "key": exc.key, "reason": exc.reason}
        ) from None
    answer: dict[str, Any] = {"scenario": e.name, "api": e.api, "now": iso(e.clock.now())}
    with e.lock:
        answer["accounts"] = [a.username for a in e.platform.accounts.live()]
    return answer


@routes.get("/_ulmock/snapshot")
async def get_snapshot(call: ControlCall) -> dict[str, Any]:
    """The whole state as JSON."""
    # Rendering a big world's blobs takes a while: off the event loop.
    return await run_in_threadpool(call.emulator.snapshot)


@routes.put("/_ulmock/snapshot")
async def put_snapshot(call: ControlCall) -> dict[str, Any]:
    """Takes what GET answered, envelope and all, or its `data`; anything else changes nothing."""
    data = await read_json(call.request, BULK_BODY_LIMIT)
    e = call.emulator
    try:
        await run_in_threadpool(e.restore, data)
    except SnapshotError as exc:
        raise ValidationError(f"Not a snapshot this ulmock can restore: {exc}", {"body": str(exc)}) from None
    return {"restored": True, "now": iso(e.clock.now())}
