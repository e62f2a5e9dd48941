"""The data that ships inside the package: the bundled scenarios and the fixtures they use.

    scenarios_root()   # ulmock/bundled/scenarios: demo.yaml, minimal.yaml, ...
    fixtures_root()    # ulmock/bundled/fixtures: datasets/, images/

Both folders are package data, read through `importlib.resources`, so an installed
wheel works from any directory; the repository's top-level `scenarios/` and `fixtures/`
are links to them. `$ULMOCK_SCENARIOS` and `$ULMOCK_FIXTURES` point elsewhere instead.

A scenario file may name its own files: a relative model `file:` or dataset `fixture:`
is looked up in the scenario file's folder first, then in the bundled fixtures (models
under `fixtures/`, datasets under `fixtures/datasets/`), and must stay inside the folder
it is found in (`ulmock.confine`). Inline scenarios (named `<inline>`, from the control
API) have no folder: the bundled fixtures only.
"""

from __future__ import annotations

import functools
import os
from importlib.resources import files
from pathlib import Path

__all__ = ["fixtures_root", "scenarios_root"]


@functools.cache  # importlib.resources' lookup costs more than building a small world
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
