"""Which files of the host ulmock may serve: the bundled fixtures, and a scenario's own folder.

A scenario's `file:` or `fixture:` and a snapshot's `fixture` blob name a file by its
place inside one of those folders. An absolute path, or `..` (or a link) that leads out
of the folder, is refused: the control API must not become a way to read the host.
"""

from __future__ import annotations

import functools
from pathlib import Path

from ulmock.bundled import fixtures_root, scenarios_root


class OutsideFixtures(ValueError):
    """A name that does not stay inside the folders fixtures may come from."""


def inside(root: Path, name: str) -> Path:
    """`root/name`, resolved, if it stays inside `root`; else OutsideFixtures."""
    if not name or "\x00" in name or Path(name).is_absolute() or name.startswith("~"):
        raise OutsideFixtures(f"'{name}' must be a relative name inside {root.name}/")
    base = root.resolve()
    path = (base / name).resolve()
    if path != base and base not in path.parents:
        raise OutsideFixtures(f"'{name}' leads out of {root.name}/")
    return path


def fixture_file(name: str, scenario_folder: Path | None = None) -> Path:
    """A file (or folder) named relative to the scenario's own folder if it is there, else
    to the bundled fixtures; either way it must stay inside the folder it is named in."""
    return _beside_else_bundled(name, scenario_folder, fixtures_root())


def dataset_fixture(name: str, scenario_folder: Path | None = None) -> Path:
    """A fixture dataset's folder: beside the scenario if it is there, else under the
    bundled fixtures/datasets/."""
    return _beside_else_bundled(name, scenario_folder, fixtures_root() / "datasets")


def _beside_else_bundled(name: str, scenario_folder: Path | None, bundled: Path) -> Path:
    if scenario_folder is not None:
        own = (
            _beside_bundled_scenario(name)
            if scenario_folder == _bundled_scenarios()
            else _beside(scenario_folder, name)
        )
        if own is not None:
            return own
    return _inside_bundled(bundled, name)


def _beside(folder: Path, name: str) -> Path | None:
    own = inside(folder, name)
    return own if own.exists() else None


# Package data does not move while the process runs: resolving the same names on every
# reset (realpath: an lstat per component) was half of `emulator.reset()` for a bundled
# scenario. A user's own folder is resolved every time, since its files may change.
_inside_bundled = functools.lru_cache(maxsize=1024)(inside)
_bundled_scenarios = functools.cache(lambda: scenarios_root().resolve())


@functools.lru_cache(maxsize=1024)
def _beside_bundled_scenario(name: str) -> Path | None:
    return _beside(_bundled_scenarios(), name)


def scenario_folder(file: str) -> Path | None:
    """The folder of a scenario file (None for inline text, which names `<inline>`)."""
    if file.startswith("<"):
        return None
    return _bundled_scenarios() if Path(file).parent == scenarios_root() else Path(file).resolve().parent


def fixture_name(path: str | Path) -> str | None:
    """The name inside the bundled fixtures of a file there (None for any other file)."""
    root, resolved = fixtures_root().resolve(), Path(path).resolve()
    return resolved.relative_to(root).as_posix() if root in resolved.parents else None
