"""Loading the plugin costs almost nothing: pytest imports `ulmock.testing` in every run of
every project that has ulmock installed, so the web framework, pydantic and the inference
runtime wait until a test asks for the `ulmock` fixture (bench/bench_plugin_import.py has
the figures)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("starlette", "uvicorn", "httpx", "pydantic", "numpy", "onnx", "onnxruntime", "PIL", "faker", "yaml")

LOADED_AFTER = """
import json, sys
import pytest
before = set(sys.modules)
{statement}
print(json.dumps(sorted(m.split(".")[0] for m in set(sys.modules) - before)))
"""


def loaded_by(statement: str) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-c", LOADED_AFTER.format(statement=statement)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(run.stdout))


def test_importing_the_plugin_loads_no_heavy_package():
    assert loaded_by("import ulmock.testing") & set(HEAVY) == set()


def test_importing_the_package_loads_nothing_until_a_name_is_used():
    assert loaded_by("import ulmock") & set(HEAVY) == set()
    assert "starlette" in loaded_by("from ulmock import create_app")


def test_a_world_that_never_predicts_never_loads_the_inference_runtime():
    statement = (
        "from ulmock.scenarios import build_emulator; from ulmock.api.app import create_app; "
        "create_app(build_emulator('minimal'))"
    )
    loaded = loaded_by(statement)
    assert {"starlette", "pydantic"} <= loaded
    assert loaded & {"numpy", "onnx", "onnxruntime"} == set()


def test_the_version_is_the_package_metadata():
    from importlib.metadata import version

    import ulmock

    assert ulmock.__version__ == version("ulmock")
    run = subprocess.run(
        [sys.executable, "-m", "ulmock.cli", "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.stdout.strip() == f"ulmock {version('ulmock')}"
