"""The data that ships inside the package: the bundled scenarios and the fixtures they use.

    scenarios_root()   # ulmock/bundled/scenarios: demo.yaml, minimal.yaml, ...
    fixtures_root()    # ulmock/bundled/fixtures: datasets/, images/
    find_fixture("darknet-samples", "dataset", "my/tests/world.yaml")

Both folders are package data, read through `importlib.resources`, so an installed
wheel works from any directory; the repository's top-level `scenarios/` and `fixtures/`
are links to them. `$ULMOCK_SCENARIOS` and `$ULMOCK_FIXTURES` point elsewhere instead.

A scenario file may name its own files: a relative model `file:` or dataset `fixture:`
is looked up in the scenario file's folder first, then in the bundled fixtures (models
under `fixtures/`, datasets under `fixtures/datasets/`). Inline scenarios (named
`<inline>`, from the control API) have no folder: the bundled fixtures only.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path
from typing import Literal

__all__ = ["FixtureKind", "find_fixture", "fixture_candidates", "fixtures_root", "scenario_folder", "scenarios_root"]

FixtureKind = Literal["model", "dataset"]


def _package_folder(name: str) -> Path:
    folder = files(__name__) / name
    # Fixture files are opened by path (PIL, onnxruntime, signed downloads), so the
    # package must sit on a real file system, as pip installs it; a zipped import cannot.
    if not isinstance(folder, Path):
        raise RuntimeError(  # noqa: TRY004  (an installation problem, not a caller's wrong type)
            f"ulmock's bundled {name} are not on the file system ({folder}); install ulmock unzipped"
        )
    return folder


def scenarios_root() -> Path:
    """The folder of bundled scenarios: `$ULMOCK_SCENARIOS`, else the package's own."""
    env = os.environ.get("ULMOCK_SCENARIOS")
    return Path(env) if env else _package_folder("scenarios")


def fixtures_root() -> Path:
    """The bundled fixtures root: `$ULMOCK_FIXTURES`, else the package's own."""
    env = os.environ.get("ULMOCK_FIXTURES")
    return Path(env) if env else _package_folder("fixtures")


def scenario_folder(scenario_file: str | None) -> Path | None:
    """The folder of a scenario file; None for inline text (`<inline>`) or no file."""
    if not scenario_file or scenario_file.startswith("<"):
        return None
    return Path(scenario_file).resolve().parent


def fixture_candidates(relative: str, kind: FixtureKind, scenario_file: str | None = None) -> list[Path]:
    """Where a scenario's `file:` (kind "model") or `fixture:` (kind "dataset") may be, in order."""
    bundled = fixtures_root() / "datasets" if kind == "dataset" else fixtures_root()
    own = scenario_folder(scenario_file)
    return [*([own / relative] if own is not None else []), bundled / relative]


def find_fixture(relative: str, kind: FixtureKind, scenario_file: str | None = None) -> Path | None:
    """The first candidate that exists: a file for a model, a folder with `data.yaml` for a dataset."""
    for path in fixture_candidates(relative, kind, scenario_file):
        if (path / "data.yaml").is_file() if kind == "dataset" else path.is_file():
            return path
    return None
