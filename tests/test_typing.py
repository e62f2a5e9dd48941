"""The package type-checks: mypy with the pydantic plugin, configured in pyproject.toml."""

import subprocess
import sys

from tests.helpers import ROOT


def test_mypy_finds_no_errors_in_the_package():
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "ulmock"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stdout + run.stderr
