"""The code passes ruff: the rules and the format configured in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import ROOT

TREES = ["ulmock", "tests", "bench"]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_ruff_finds_nothing_to_change(command: list[str]) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "ruff", *command, *TREES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
