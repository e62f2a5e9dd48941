"""A scenario reads files only from the bundled fixtures and its own folder; a snapshot names none.

Otherwise the control API (`POST /_ulmock/scenario`, `PUT /_ulmock/snapshot`) would be
a way to read any file of the host through a model's download URL.
"""

from __future__ import annotations

import io
import zipfile

import httpx
import pytest

from tests.helpers import data, error
from ulmock.scenarios import ScenarioError, load_scenario

SCENARIO = """\
description: files from {where}
accounts:
  - username: ann
    plan: pro
    projects:
      - name: p
        models:
          - name: m
            file: {file}
"""

DATASET = """\
description: a dataset from {fixture}
accounts:
  - username: ann
    plan: pro
    datasets:
      - name: d
        fixture: {fixture}
"""


def checkpoint() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("best/data.pkl", date_time=(2026, 1, 1, 0, 0, 0)), b"\x80\x02}q\x00.")
    return buf.getvalue()


@pytest.mark.parametrize(
    "file",
    [
        "/etc/hostname",
        "../../../../../../etc/hostname",
        "../pyproject.toml",
        "~/.bashrc",
        "images/../../pyproject.toml",
    ],
)
def test_a_model_file_outside_the_fixtures_and_the_scenario_folder_is_refused(tmp_path, file):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(where=file, file=file))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.key == "accounts[0].projects[0].models[0].file" and caught.value.line == 9


@pytest.mark.parametrize("fixture", ["/etc", "../../../../../etc", "../../scenarios", "/work"])
def test_a_dataset_fixture_outside_the_fixtures_is_refused(tmp_path, fixture):
    path = tmp_path / "s.yaml"
    path.write_text(DATASET.format(fixture=fixture))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.key == "accounts[0].datasets[0].fixture"


def test_a_model_file_in_the_scenarios_own_folder_loads_and_downloads(tmp_path, ulmock):
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "mine.pt").write_bytes(checkpoint())
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(where="its folder", file="weights/mine.pt"))
    control = httpx.Client(base_url=f"{ulmock.url}/_ulmock")
    data(control.post("/scenario", json={"name": str(path)}))
    key = data(control.get("/accounts"))[0]["apiKeys"][0]["key"]
    client = ulmock.http_client(key)
    model = data(client.get("/api/models"))[0]
    url = data(client.get(f"/api/models/{model['id']}/files"))["files"][0]["downloadUrl"]
    assert httpx.get(url).content == checkpoint()


def test_an_inline_scenario_reads_the_bundled_fixtures_only(ulmock):
    control = httpx.Client(base_url=f"{ulmock.url}/_ulmock")
    for file in ("/etc/hostname", "../pyproject.toml"):
        err = error(
            control.post("/scenario", json={"yaml": SCENARIO.format(where=file, file=file)}), 400, "VALIDATION_ERROR"
        )
        assert err["details"]["key"] == "accounts[0].projects[0].models[0].file"
    assert data(control.get("/health"))["scenario"] == ulmock.emulator.name


def test_a_snapshot_blob_cannot_point_at_a_host_file(ulmock):
    control = httpx.Client(base_url=f"{ulmock.url}/_ulmock")
    snap = data(control.get("/snapshot"))
    blob = snap["world"]["blobs"][0]
    for evil in ({"path": "/etc/hostname"}, {"fixture": "/etc/hostname"}, {"fixture": "../../../../etc/hostname"}):
        changed = {**blob, **evil}
        changed.pop("data", None) if "fixture" in evil else None
        if "fixture" in evil:
            changed["fixture"] = evil["fixture"]
        bad = {**snap, "world": {**snap["world"], "blobs": [changed, *snap["world"]["blobs"][1:]]}}
        error(control.put("/snapshot", json=bad), 400, "VALIDATION_ERROR")
    assert data(control.get("/snapshot")) == snap


def test_a_real_dataset_folder_outside_the_scenarios_folder_is_refused(tmp_path):
    outside = tmp_path / "elsewhere"
    (outside / "images").mkdir(parents=True)
    (outside / "data.yaml").write_text("names: [a]\n")
    (tmp_path / "scenario").mkdir()
    path = tmp_path / "scenario" / "s.yaml"
    for fixture in ("../elsewhere", str(outside)):
        path.write_text(DATASET.format(fixture=fixture))
        with pytest.raises(ScenarioError) as caught:
            load_scenario(path)
        assert "leads out of" in str(caught.value) or "relative name" in str(caught.value)
