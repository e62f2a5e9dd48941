"""A scenario's text or file to a checked `ScenarioWorld`: YAML, fake text, the format, references.

Every mistake is one `ScenarioError` naming the file, the line and the key, raised before
anything is built.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from faker import Faker
from pydantic import ValidationError as PydanticError

from ulmock.scenarios.build import ScenarioWorld
from ulmock.scenarios.catalog import resolve
from ulmock.scenarios.fake_text import expand_faker
from ulmock.scenarios.format import Scenario
from ulmock.scenarios.references import check_references
from ulmock.scenarios.source import LineMap, ScenarioError, first_error, parse_yaml, read_yaml

__all__ = ["load_scenario", "parse_scenario", "parse_scenario_text"]


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
    data = expand_faker(data, Faker(), seed)
    try:
        scenario = Scenario.model_validate(data)
    except PydanticError as exc:
        raise first_error(exc, file, lines) from None
    check_references(scenario, file, lines)
    return ScenarioWorld(scenario, name, file, lines)
