"""A scenario into an emulator: a new one (`build_emulator`) or a running one (`play`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ulmock.domain.clock import ClockMode, parse_iso
from ulmock.emulator import Emulator
from ulmock.scenarios.build import ScenarioWorld
from ulmock.scenarios.loader import load_scenario

__all__ = ["build_emulator", "play"]


def build_emulator(
    scenario: str | Path | ScenarioWorld = "demo",
    *,
    seed: int | None = None,
    mode: ClockMode | None = None,
    speed: float | None = None,
    start: str | float | None = None,
    public_url: str | None = None,
    admin_token: str | None = None,
    device: str | None = None,
    api: str | None = None,
) -> Emulator:
    """An Emulator playing a scenario; arguments override the scenario's own clock, seed and face."""
    world = scenario if isinstance(scenario, ScenarioWorld) else load_scenario(scenario)
    s = world.scenario
    begin = start if start is not None else s.clock.start
    return Emulator(
        world,
        seed=s.seed if seed is None else seed,
        start=parse_iso(begin) if isinstance(begin, str) else begin,
        mode=mode or s.clock.mode,
        speed=speed if speed is not None else s.clock.speed,
        public_url=public_url,
        admin_token=admin_token,
        name=world.name,
        faults=s.behaviours.routes,
        device=device,
        api=api or s.api or "reference",
        signing_key=s.signingKey,
    )


def play(emulator: Emulator, world: ScenarioWorld, api: str | None = None) -> None:
    """Replace a running emulator's world by a scenario's, clock, faults and face included."""
    s = world.scenario
    start = parse_iso(s.clock.start) if s.clock.start else emulator.clock.now()
    clock: dict[str, Any] = {"now": start, "mode": s.clock.mode, "speed": s.clock.speed, "seq": 0, "queue": []}
    emulator.load(world, world.name, s.seed, clock, s.behaviours.routes, api=api or s.api, signing_key=s.signingKey)
