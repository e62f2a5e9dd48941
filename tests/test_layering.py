"""The package's shape: one domain that knows no HTTP, faces that do not lean on each other.

Read from the source (module-level imports, `TYPE_CHECKING` blocks aside), so a rule broken
anywhere fails here with the module that broke it, not in a distant import error.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ulmock"
MAX_MODULE_LINES = 400
# What a domain module may not load, directly or through anything it imports.
NOT_FOR_THE_DOMAIN = ("starlette", "uvicorn", "httpx", "orjson", "numpy", "onnx", "onnxruntime", "PIL")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_at_load(name: str) -> set[str]:
    """The ulmock modules `name` imports when it is loaded (imports inside functions run later)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for item in ast.walk(node):
            if isinstance(item, ast.Import):
                found.update(alias.name for alias in item.names)
            elif isinstance(item, ast.ImportFrom):
                base = item.module or ""
                if item.level:
                    anchor = package.split(".")[: len(package.split(".")) - item.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from pkg import sub` depends on pkg.sub when sub is a module, else on pkg.
                for alias in item.names:
                    found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imported_at_load(name) for name in MODULES}


def test_no_import_cycles_inside_the_package():
    cycles: list[list[str]] = []
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(name: str) -> None:
        state[name], _ = "open", path.append(name)
        for target in sorted(GRAPH[name]):
            if state.get(target) == "open":
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[name] = "done"

    for name in MODULES:
        if name not in state:
            visit(name)
    assert cycles == []


def test_the_domain_imports_nothing_outside_it():
    leaks = {
        name: sorted(t for t in GRAPH[name] if not t.startswith("ulmock.domain"))
        for name in MODULES
        if name.startswith("ulmock.domain")
    }
    assert {name: targets for name, targets in leaks.items() if targets} == {}


@pytest.mark.parametrize(("face", "other"), [("reference", "platform"), ("platform", "reference")])
def test_a_face_does_not_import_the_other(face: str, other: str):
    prefix, forbidden = f"ulmock.api.{face}", f"ulmock.api.{other}"
    crossings = {
        name: sorted(t for t in GRAPH[name] if t.startswith(forbidden)) for name in MODULES if name.startswith(prefix)
    }
    assert {name: targets for name, targets in crossings.items() if targets} == {}


def test_no_module_is_over_400_lines():
    sizes = {name: len(path.read_text().splitlines()) for name, path in MODULES.items()}
    assert {name: lines for name, lines in sizes.items() if lines > MAX_MODULE_LINES} == {}


def test_loading_every_domain_module_loads_no_web_stack_or_ml_runtime():
    domain = [name for name in MODULES if name.startswith("ulmock.domain")]
    probe = (
        f"import importlib, json, sys\nfor m in {domain!r}: importlib.import_module(m)\n"
        f"print(json.dumps(sorted(p for p in {list(NOT_FOR_THE_DOMAIN)!r} if p in sys.modules)))"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(run.stdout) == []
