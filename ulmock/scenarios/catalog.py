"""Which file a scenario name means: a bundled scenario by name, or any YAML file by path."""

from __future__ import annotations

import os
from pathlib import Path

from ulmock.bundled import scenarios_root
from ulmock.scenarios.source import ScenarioError

__all__ = ["bundled_scenarios", "resolve", "scenarios_dir"]


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
    """(the scenario's name, its file): a path when it looks like one, else a bundled name."""
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
