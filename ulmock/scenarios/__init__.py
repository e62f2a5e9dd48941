"""Scenarios: YAML files that declare a world and its scripted behaviour.

    load_scenario("failures")          # a bundled one, from ulmock/bundled/scenarios
    load_scenario("path/to/mine.yaml") # any file; its relative fixture paths start beside it
    build_emulator("demo", mode="manual")

Every mistake in a file is one `ScenarioError` naming the file, the line and the key,
raised before anything is built.

The modules, in the order a file goes through them: `catalog` (a name to a file),
`source` (YAML with line numbers, errors), `fake_text` (`${faker.*}` placeholders),
`format` (what a file may say), `references` (names that must point at something),
`loader` (all of those, cached per file version), `build` and `fixtures` (the world),
`synthetic` (generated images), `emulators` (a world into an emulator).
"""

from __future__ import annotations

from ulmock.scenarios.build import ScenarioWorld, fixed_key
from ulmock.scenarios.catalog import bundled_scenarios, resolve, scenarios_dir
from ulmock.scenarios.emulators import build_emulator, play
from ulmock.scenarios.fake_text import FAKER_PROVIDERS
from ulmock.scenarios.loader import load_scenario, parse_scenario, parse_scenario_text
from ulmock.scenarios.references import check_references
from ulmock.scenarios.source import ScenarioError

__all__ = [
    "FAKER_PROVIDERS",
    "ScenarioError",
    "ScenarioWorld",
    "build_emulator",
    "bundled_scenarios",
    "check_references",
    "fixed_key",
    "load_scenario",
    "parse_scenario",
    "parse_scenario_text",
    "play",
    "resolve",
    "scenarios_dir",
]
