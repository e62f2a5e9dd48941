"""ulmock as another team meets it: a wheel, `pip install`ed into a fresh virtualenv outside
this checkout, used from an empty folder.

One slow end-to-end check (about a minute: the wheel is built in an isolated environment
and the venv installs ulmock's dependencies from PyPI through pip's cache). From the
empty folder it lists the bundled scenarios, serves the demo world and calls it with a
demo key, predicts once the server has prepared the bundled model by itself (the real
download and conversion, into an empty cache), and runs a foreign test file that uses
the `ulmock` fixture with the venv's own pytest (whose first predict prepares the model
into another empty cache).
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.helpers import ROOT, auth, free_port
from ulmock.scenarios import bundled_scenarios

# Not part of a release: local environments, caches, earlier builds (setuptools reuses
# build/ and *.egg-info, which would let stale files into the wheel).
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".cache",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    ".pytest_cache",
)
FOREIGN_TEST = """
import httpx
import pytest


def test_my_code_reads_the_datasets(ulmock):
    r = httpx.get(f"{{ulmock.url}}/api/datasets", headers={{"Authorization": f"Bearer {{ulmock.api_key}}"}})
    assert [d["name"] for d in r.json()["data"]] == ["samples"]


@pytest.mark.ulmock(scenario="demo", clock="manual")
def test_a_bundled_scenario_by_name(ulmock):
    assert ulmock.username == "lena"
    free = ulmock.account("tiny", plan="free")
    assert free.client.get("/api/projects").json()["meta"]["total"] == 0


def test_predict_with_the_bundled_model(ulmock):
    model = ulmock.client.get("/api/models").json()["data"][0]["id"]
    with open({photo!r}, "rb") as photo:
        r = ulmock.client.post(f"/api/models/{{model}}/predict", files={{"file": ("person.jpg", photo.read())}})
    assert r.status_code == 200, r.text
    assert "person" in [p["class"] for p in r.json()["predictions"]]
"""


def run(command: list[str | Path], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, (
        f"{' '.join(map(str, command))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


def install(base: Path) -> dict[str, Path]:
    """Build the wheel from a clean copy of the source, and install it into a fresh venv."""
    source = base / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=NOT_SOURCE)
    run([sys.executable, "-m", "build", "--wheel", "--outdir", base / "dist", source], base, dict(os.environ))
    (wheel,) = (base / "dist").glob("ulmock-*.whl")
    venv = base / "venv"
    env = clean_env(base)
    run([sys.executable, "-m", "venv", venv], base, env)
    run(
        [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel, "pytest"],
        base,
        env,
    )
    empty = base / "elsewhere"
    empty.mkdir()
    return {"wheel": wheel, "venv": venv, "empty": empty, "cache": base / "model-cache", "env": base}


def clean_env(base: Path) -> dict[str, str]:
    """The environment of a user who has never seen this checkout (and has no model cache)."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("ULMOCK_", "PYTHON", "VIRTUAL_ENV", "PYTEST"))}
    return {**keep, "ULMOCK_CACHE_DIR": str(base / "model-cache"), "PYTHONUNBUFFERED": "1"}


# One test, so that xdist never builds the wheel and the venv twice; each step is a function.
@pytest.mark.slow
def test_a_team_installs_the_wheel_and_uses_it_from_another_folder(tmp_path):
    installed = install(tmp_path)
    the_wheel_holds_the_bundled_data_as_real_files(installed)
    from_an_empty_folder_the_cli_lists_the_bundled_scenarios(installed)
    from_an_empty_folder_serve_answers_the_demo_keys_and_prepares_the_model(installed)
    a_foreign_project_uses_the_fixture_with_its_own_pytest(installed)


def the_wheel_holds_the_bundled_data_as_real_files(installed):
    with zipfile.ZipFile(installed["wheel"]) as wheel:
        entries = {info.filename: info for info in wheel.infolist()}
    bundled = {name for name in entries if name.startswith("ulmock/bundled/") and not name.endswith(".py")}
    assert {f"ulmock/bundled/scenarios/{name}.yaml" for name in bundled_scenarios()} <= bundled
    samples = "ulmock/bundled/fixtures/datasets/darknet-samples"
    assert {f"{samples}/data.yaml", f"{samples}/images/person.jpg", f"{samples}/labels/person.txt"} <= bundled
    for name in bundled:  # regular files with their bytes, not links into a checkout
        assert not stat.S_ISLNK(entries[name].external_attr >> 16), name
        assert entries[name].file_size > 0 or name.endswith("scream.txt"), name  # a background image: no boxes
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in entries)


def from_an_empty_folder_the_cli_lists_the_bundled_scenarios(installed):
    env, venv = clean_env(installed["env"]), installed["venv"]
    where = run(
        [venv / "bin" / "python", "-c", "import ulmock.bundled as b; print(b.scenarios_root())"],
        installed["empty"],
        env,
    )
    assert Path(where.strip()).is_relative_to(venv), where  # the installed copy, not this checkout
    listing = run([venv / "bin" / "ulmock", "scenarios"], installed["empty"], env)
    assert [line.split()[0] for line in listing.splitlines()] == sorted(bundled_scenarios())


def from_an_empty_folder_serve_answers_the_demo_keys_and_prepares_the_model(installed):
    env, port = clean_env(installed["env"]), free_port()
    proc = subprocess.Popen(
        [str(installed["venv"] / "bin" / "ulmock"), "serve", "--port", str(port)],
        cwd=installed["empty"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    key = auth("acme-vision")
    try:
        r = wait_for(lambda: httpx.get(f"{base}/api/datasets", headers=key), lambda r: True, 60)
        assert r.status_code == 200 and r.json()["meta"]["total"] >= 2, r.text
        assert {d["name"] for d in r.json()["data"]} >= {"Warehouse Pallets"}
        # No model in the cache and no other command: serve fetches and converts it itself.
        model = httpx.get(f"{base}/api/models", headers=key).json()["data"][0]["id"]
        photo = (ROOT / "fixtures" / "datasets" / "darknet-samples" / "images" / "person.jpg").read_bytes()
        r = wait_for(
            lambda: httpx.post(
                f"{base}/api/models/{model}/predict", headers=key, timeout=60, files={"file": ("person.jpg", photo)}
            ),
            lambda r: r.status_code != 503,
            300,
        )
        assert r.status_code == 200, r.text
        assert "person" in [p["class"] for p in r.json()["predictions"]]
    finally:
        proc.send_signal(signal.SIGINT)
        out = proc.communicate(timeout=30)[0]
    assert "ulmock: preparing the bundled model" in out and "ulmock: bundled model ready" in out, out
    assert (installed["cache"] / "yolov3-tiny.onnx").is_file()


def a_foreign_project_uses_the_fixture_with_its_own_pytest(installed):
    project = installed["empty"] / "their-project"
    (project / "tests").mkdir(parents=True)
    photo = ROOT / "fixtures" / "datasets" / "darknet-samples" / "images" / "person.jpg"
    (project / "tests" / "test_with_ulmock.py").write_text(textwrap.dedent(FOREIGN_TEST.format(photo=str(photo))))
    # A cache of its own, empty: the fixture fetches the model inside the first predict.
    env = {**clean_env(installed["env"]), "ULMOCK_CACHE_DIR": str(project / "model-cache")}
    out = run(
        [installed["venv"] / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=1"],
        project,
        env,
    )
    assert "3 passed" in out, out
    assert (project / "model-cache" / "yolov3-tiny.onnx").is_file()


def wait_for(call, done, seconds: float):
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = call()
            if done(result) or time.monotonic() > deadline:
                return result
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)
