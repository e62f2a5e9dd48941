"""Roboflow import through the official client, from the emulated catalogue a scenario declares."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused, typed
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")
KEY = "rf_0123456789abcdef"
SCENARIO = f"""
description: a Roboflow workspace with a detection project, a classification one and an empty one
api: platform
accounts:
  - username: importer
    plan: pro
roboflow:
  - apiKey: {KEY}
    workspace: acme-labs
    name: Acme Labs
    projects:
      - id: street-animals
        name: Street Animals
        versions:
          - {{version: 1, name: raw, fixture: darknet-samples}}
          - {{version: 2, name: augmented, fixture: darknet-samples}}
      - id: leaf-disease
        name: Leaf Disease
        type: classification
        versions: [{{version: 1, fixture: darknet-samples}}]
      - id: not-started
        name: Not Started
"""


@pytest.fixture
def importer(ulmock: Ulmock) -> Iterator[Platform]:
    loaded = httpx.post(f"{ulmock.url}/_ulmock/scenario", json={"yaml": SCENARIO})
    assert loaded.status_code == 200, loaded.text
    key = httpx.get(f"{ulmock.url}/_ulmock/accounts").json()["data"][0]["apiKeys"][0]["key"]
    with Platform(api_key=key, base_url=ulmock.url, max_retries=0) as client:
        yield client


def item(project: str = "street-animals", name: str = "Street Animals", version: int = 2) -> dict[str, object]:
    return {
        "workspace": "acme-labs",
        "projectId": project,
        "projectName": name,
        "projectType": "object-detection",
        "latestVersion": version,
    }


def test_preview_lists_what_the_key_reaches(importer: Platform) -> None:
    plan = typed("DatasetsPreviewRoboflowResponse", importer.datasets.preview_roboflow(api_key=KEY))
    assert plan["workspace"]["name"] == "Acme Labs" and plan["workspace"]["url"].endswith("/acme-labs")
    assert [(d["projectId"], d["latestVersion"], d["task"], d["imageCount"]) for d in plan["newDatasets"]] == [
        ("street-animals", 2, "detect", 6)
    ]
    assert plan["newDatasets"][0]["latestVersionName"] == "augmented"
    assert (plan["unsupportedCount"], plan["missingVersionCount"], plan["importedDatasets"]) == (1, 1, [])
    assert plan["bytesTotal"] == plan["newDatasets"][0]["sizeBytes"] > 0
    assert plan["storage"]["hasEnoughStorage"] is True


def test_import_makes_datasets_from_the_real_images(importer: Platform) -> None:
    report = typed("DatasetsImportRoboflowResponse", importer.datasets.import_roboflow(api_key=KEY, items=[item()]))
    assert [(i["projectId"], i["version"], i["slug"]) for i in report["imported"]] == [
        ("street-animals", 2, "street-animals")
    ]
    assert report["failed"] == [] and report["skipped"] == []
    dataset = importer.datasets.retrieve("importer", "street-animals")["dataset"]
    assert dataset["imageCount"] == 6 and "dog" in dataset["classNames"]
    assert sum(c["count"] for c in importer.datasets.class_stats("importer", "street-animals")["classes"]) > 0
    # Importing it again skips it, and the preview now lists it as imported
    again = importer.datasets.import_roboflow(api_key=KEY, items=[item()])
    assert again["imported"] == [] and [s["projectId"] for s in again["skipped"]] == ["street-animals"]
    plan = importer.datasets.preview_roboflow(api_key=KEY)
    assert plan["newDatasets"] == [] and [d["projectId"] for d in plan["importedDatasets"]] == ["street-animals"]


def test_unknown_projects_versions_and_types_fail_per_item(importer: Platform) -> None:
    report = importer.datasets.import_roboflow(
        api_key=KEY,
        items=[item("ghost", "Ghost"), item(version=9), item("leaf-disease", "Leaf Disease", 1), item(version=1)],
    )
    assert [(f["projectId"], f["error"]) for f in report["failed"]] == [
        ("ghost", "Roboflow project not found"),
        ("street-animals", "Version 9 not found"),
        ("leaf-disease", "Project type 'classification' is not supported"),
    ]
    assert [(i["projectId"], i["version"]) for i in report["imported"]] == [("street-animals", 1)]


def test_an_unknown_key_is_400_and_imports_nothing(importer: Platform) -> None:
    assert refused(lambda: importer.datasets.preview_roboflow(api_key="rf_wrong"), 400) == {
        "error": "Invalid Roboflow API key"
    }
    refused(lambda: importer.datasets.import_roboflow(api_key="rf_wrong", items=[item()]), 400)
    refused(lambda: importer.datasets.import_roboflow(api_key=KEY, items=[]), 400)
    assert importer.datasets.list("importer")["datasets"] == []


def test_a_scenario_version_needs_its_fixture(ulmock: Ulmock) -> None:
    broken = SCENARIO.replace(
        "{version: 1, name: raw, fixture: darknet-samples}", "{version: 1, name: raw, fixture: nowhere}"
    )
    answer = httpx.post(f"{ulmock.url}/_ulmock/scenario", json={"yaml": broken})
    assert answer.status_code == 400 and "nowhere" in answer.text
