"""The emulator's clock: read it, advance it, change its mode or speed, jump it forward.

Advancing waits for the webhooks that fall due to be sent, so it runs off the event
loop; otherwise every other request would wait too.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from starlette.concurrency import run_in_threadpool

from ulmock.api.control.routes import ControlBody, ControlCall, ControlRoutes
from ulmock.domain.clock import parse_iso
from ulmock.domain.errors import ValidationError

routes = ControlRoutes("clock")


class ClockChange(ControlBody):
    mode: Literal["manual", "realtime"] | None = None
    speed: float | None = Field(None, gt=0, le=1_000_000)
    now: str | None = Field(None, description="jump forward to this ISO time")


class ClockAdvance(ControlBody):
    seconds: float = Field(ge=0, le=10 * 365 * 86_400)


@routes.get("/_ulmock/clock")
async def get_clock(call: ControlCall) -> dict[str, Any]:
    """`{now, epoch, mode, speed}`."""
    return call.emulator.clock.describe()


@routes.post("/_ulmock/clock", body=ClockChange)
async def set_clock(call: ControlCall) -> dict[str, Any]:
    """`{speed}`, `{mode}`, or `{now}`: a time to jump forward to."""
    body: ClockChange = call.body
    e = call.emulator
    with e.lock:
        e.clock.configure(mode=body.mode, speed=body.speed)
        if body.now is not None:
            try:
                target = parse_iso(body.now)
            except ValueError:
                raise ValidationError("now is not an ISO 8601 time", {"now": body.now}) from None
            if target < e.clock.now():
                raise ValidationError("The clock never goes backwards", {"now": body.now})
    if body.now is not None:
        # Like advance: fire what falls due and send its webhooks.
        await run_in_threadpool(e.advance, max(0.0, target - e.clock.now()))
    return e.clock.describe()


@routes.post("/_ulmock/clock/advance", body=ClockAdvance)
async def advance_clock(call: ControlCall) -> dict[str, Any]:
    """`{seconds}`; answers the clock once every event due in them has run."""
    e = call.emulator
    await run_in_threadpool(e.advance, call.body.seconds)
    return e.clock.describe()
