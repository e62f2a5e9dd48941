"""Scenarios: YAML files that declare a world and its scripted behaviour.

    load_scenario("failures")          # a bundled one, from ulmock/bundled/scenarios
    load_scenario("path/to/mine.yaml") # any file; its relative fixture paths start beside it
    build_emulator("demo", mode="manual")

Every mistake in a file is one `ScenarioError` naming the file, the line and the key,
raised before anything is built.
"""

from __future__ import annotations

import functools
import os
import random
import re
from pathlib import Path
from typing import Any

from faker import Faker
from pydantic import ValidationError as PydanticError

from ulmock.bundled import scenarios_root
from ulmock.domain.clock import ClockMode, parse_iso
from ulmock.emulator import Emulator
from ulmock.confine import OutsideFixtures, dataset_fixture, fixture_file, scenario_folder
from ulmock.scenarios.build import ScenarioWorld, fixed_key
from ulmock.scenarios.format import Scenario
from ulmock.scenarios.source import (
    LineMap,
    ScenarioError,
    first_error,
    key_path,
    parse_yaml,
    read_yaml,
)

__all__ = [
    "ScenarioError", "ScenarioWorld", "build_emulator", "bundled_scenarios", "fixed_key", "load_scenario",
    "parse_scenario_text", "play",
]  # fmt: skip

_FAKER = re.compile(r"\$\{faker\.(\w+)\}")
# Providers a scenario may call: text that reads well, nothing that varies by locale setup.
FAKER_PROVIDERS = frozenset({"name", "first_name", "last_name", "company", "catch_phrase", "bs", "city",
                             "country", "sentence", "user_name", "job", "street_name", "color_name"})  # fmt: skip


def scenarios_dir() -> Path:
    return scenarios_root()


def bundled_scenarios() -> dict[str, tuple[Path, str]]:
    """Name -> (file, its one-line description), for every bundled scenario."""
    out: dict[str, tuple[Path, str]] = {}
    for path in sorted(scenarios_dir().glob("*.yaml")):
        description = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("description:"):
                description = line.split(":", 1)[1].strip().strip("\"'")
                break
        out[path.stem] = (path, description)
    return out


def resolve(name_or_path: str | Path) -> tuple[str, Path]:
    text = str(name_or_path)
    if text.endswith((".yaml", ".yml")) or os.sep in text:
        path = Path(text)
        if not path.exists():
            raise ScenarioError(text, None, "", "no such file")
        return path.stem, path
    known = bundled_scenarios()
    if text not in known:
        raise ScenarioError(text, None, "", f"unknown scenario '{text}' (bundled: {', '.join(sorted(known))})")
    return text, known[text][0]


def load_scenario(name_or_path: str | Path) -> ScenarioWorld:
    name, path = resolve(name_or_path)
    return _load_file(name, path.resolve(), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _load_file(name: str, path: Path, mtime_ns: int) -> ScenarioWorld:
    """Parsed once per file version: the pytest fixture builds a world for every test."""
    data, lines = read_yaml(path)
    return parse_scenario(data, lines, name, str(path))


def parse_scenario_text(text: str, name: str = "inline") -> ScenarioWorld:
    data, lines = parse_yaml(text, f"<{name}>")
    return parse_scenario(data, lines, name, f"<{name}>")


def parse_scenario(data: Any, lines: LineMap, name: str, file: str) -> ScenarioWorld:
    if not isinstance(data, dict):
        raise ScenarioError(file, 1, "", "a scenario is a mapping (description, accounts, ...)")
    seed = data.get("seed", 0) if isinstance(data.get("seed", 0), int) else 0
    data = _expand_faker(data, Faker(), seed)
    try:
        scenario = Scenario.model_validate(data)
    except PydanticError as exc:
        raise first_error(exc, file, lines) from None
    check_references(scenario, file, lines)
    return ScenarioWorld(scenario, name, file, lines)


def _expand_faker(value: Any, fake: Faker, seed: int, loc: tuple[Any, ...] = ()) -> Any:
    """`${faker.company}` in a string becomes a seeded fake value (same seed, same text)."""
    if isinstance(value, dict):
        return {k: _expand_faker(v, fake, seed, (*loc, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_faker(v, fake, seed, (*loc, i)) for i, v in enumerate(value)]
    if isinstance(value, str) and "${faker." in value:
        # Seeded by position, so adding a field elsewhere does not change this one.
        fake.seed_instance(random.Random(f"{seed}:{key_path(loc)}").getrandbits(32))

        def one(match: re.Match[str]) -> str:
            provider = match.group(1)
            if provider not in FAKER_PROVIDERS:
                raise ValueError(provider)
            return str(getattr(fake, provider)())

        try:
            return _FAKER.sub(one, value)
        except ValueError:
            return value  # left as written; validation or the reader will see it
    return value


def check_references(s: Scenario, file: str, lines: LineMap) -> None:
    """Names that must point at something: usernames, models, datasets, fixture files."""

    def fail(loc: tuple[Any, ...], message: str) -> ScenarioError:
        return ScenarioError(file, lines.line(loc), key_path(loc), message)

    usernames: set[str] = set()
    models: set[tuple[str, str]] = set()
    keys: set[str] = set()
    for i, a in enumerate(s.accounts):
        if a.username in usernames:
            raise fail(("accounts", i, "username"), f"username '{a.username}' appears twice")
        usernames.add(a.username)
        if a.rateLimits is not None and a.plan != "enterprise":
            raise fail(("accounts", i, "rateLimits"), "custom rate limits are for enterprise accounts")
        if a.webhooks and a.plan != "enterprise":
            raise fail(("accounts", i, "webhooks"), "webhooks are an enterprise feature")
        for k, key in enumerate(a.apiKeys):
            if key.key in keys:
                raise fail(("accounts", i, "apiKeys", k, "key"), "this API key is used twice")
            keys.add(key.key)
        project_names = [p.name for p in a.projects]
        for j, p in enumerate(a.projects):
            if project_names.count(p.name) > 1:
                raise fail(("accounts", i, "projects", j, "name"), f"project '{p.name}' appears twice")
            for m, model in enumerate(p.models):
                models.add((a.username, f"{p.name}/{model.name}"))
                if model.file:
                    loc = ("accounts", i, "projects", j, "models", m, "file")
                    try:
                        found = fixture_file(model.file, scenario_folder(file)).is_file()
                    except OutsideFixtures as exc:
                        raise fail(loc, f"{exc}: files come from fixtures/ or the scenario's own folder") from None
                    if not found:
                        raise fail(loc, f"no file {model.file} in fixtures/ or beside the scenario")
        dataset_names = {d.name for d in a.datasets}
        for j, d in enumerate(a.datasets):
            if d.fixture:
                where = ("accounts", i, "datasets", j, "fixture")
                try:
                    found = (dataset_fixture(d.fixture, scenario_folder(file)) / "data.yaml").is_file()
                except OutsideFixtures as exc:
                    raise fail(where, f"{exc}: datasets come from fixtures/datasets/ or the scenario's folder") from None
                if not found:
                    raise fail(where, f"no fixture dataset fixtures/datasets/{d.fixture}")
        for j, t in enumerate(a.trainings):
            if (a.username, t.model) not in models:
                raise fail(("accounts", i, "trainings", j, "model"), f"no model '{t.model}' (write 'project/model')")
            if t.dataset not in dataset_names:
                raise fail(("accounts", i, "trainings", j, "dataset"), f"no dataset '{t.dataset}' in this account")
        for j, deployment in enumerate(a.deployments):
            if (a.username, deployment.model) not in models:
                raise fail(("accounts", i, "deployments", j, "model"),
                           f"no model '{deployment.model}' (write 'project/model')")  # fmt: skip
    b = s.behaviours
    for kind, rules in (("trainings", b.trainings), ("exports", b.exports), ("deployments", b.deployments),
                        ("routes", b.routes)):  # fmt: skip
        for j, rule in enumerate(rules):
            account = getattr(rule, "account", None)
            if account is not None and account not in usernames:
                raise fail(("behaviours", kind, j, "account"), f"no account '{account}'")
    for j, failure in enumerate(b.trainings):
        if (failure.account, failure.model) not in models:
            raise fail(("behaviours", "trainings", j, "model"),
                       f"no model '{failure.model}' in account '{failure.account}'")  # fmt: skip


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
