"""Models through the official client: created in a project by slug, renamed, starred, moved,
cloned with their weights, downloaded, and trashed."""

from __future__ import annotations

import httpx
import pytest
from ultralytics_platform import Platform

from tests.helpers import tiny_onnx
from tests.platform_face.helpers import refused, typed
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(api="platform")


@pytest.fixture
def project(client: Platform, ulmock: Ulmock) -> str:
    """A project holding one model with weights, `cams/detector`."""
    client.projects.create(project="cams", name="Cams")
    client.models.create(body={"project": "cams", "model": "detector", "name": "Detector"})
    with ulmock.emulator.lock:
        p = ulmock.platform
        account = p.accounts.by_username(ulmock.username)
        model = next(p.world.models(account.id).newest_first(slug="detector")[0])
        p.models.attach_file(model, "best.onnx", tiny_onnx(), "onnx")
    return "cams"


def test_create_list_retrieve(client: Platform, ulmock: Ulmock, project: str) -> None:
    made = typed("ModelsCreateResponse", client.models.create(body={"project": project, "name": "Night Shift"}))
    assert (made["owner"], made["project"], made["model"], made["name"]) == (
        ulmock.username,
        "cams",
        "night-shift",
        "Night Shift",
    )
    listed = typed("ModelsListResponse", client.models.list(ulmock.username, project))
    assert [m["model"] for m in listed["models"]] == ["night-shift", "detector"]
    got = typed("ModelsRetrieveResponse", client.models.retrieve(ulmock.username, project, "night-shift"))
    assert (got["isOwner"], got["model"]["status"], got["model"]["hasWeights"]) == (True, "untrained", False)
    detector = client.models.retrieve(ulmock.username, project, "detector")["model"]
    assert (detector["status"], detector["file"]["size"]) == ("completed", len(tiny_onnx()))


def test_create_refusals(client: Platform, project: str) -> None:
    refused(lambda: client.models.create(body={"project": project, "model": "detector"}), 409)
    assert refused(lambda: client.models.create(body={"project": "nowhere", "name": "x"}), 404) == {
        "error": "Project not found"
    }
    refused(lambda: client.models.create(body={"name": "no project"}), 400)
    refused(lambda: client.models.create(body={"project": project, "model": "Not A Slug"}), 400)
    refused(lambda: client.models.create(body={"project": project, "owner": "someone-else"}), 403)


def test_another_account_sees_nothing_private(stranger: Platform, ulmock: Ulmock, project: str) -> None:
    unknown = refused(lambda: stranger.models.retrieve(ulmock.username, project, "no-such-model"), 404)
    assert refused(lambda: stranger.models.retrieve(ulmock.username, project, "detector"), 404) == unknown
    assert refused(lambda: stranger.models.files(ulmock.username, project, "detector"), 404) == unknown
    assert refused(lambda: stranger.models.delete(ulmock.username, project, "detector"), 404) == unknown
    assert unknown == {"error": "Model not found"}
    refused(lambda: stranger.models.list(ulmock.username, project), 404)


def test_update_renames_stars_describes_and_moves(client: Platform, ulmock: Ulmock, project: str) -> None:
    u = ulmock.username
    renamed = typed("ModelsUpdateResponse", client.models.update(u, project, "detector", name="Day Detector"))
    assert renamed == {"success": True, "slug": "day-detector", "name": "Day Detector", "renamed": True}
    refused(lambda: client.models.retrieve(u, project, "detector"), 404)
    starred = typed("ModelsUpdateResponse", client.models.update(u, project, "day-detector", starred=True))
    assert starred == {"starred": True, "starCount": 1}
    described = typed("ModelsUpdateResponse", client.models.update(u, project, "day-detector", description="v1"))
    assert described == {"success": True, "model": "day-detector"}
    assert client.models.retrieve(u, project, "day-detector")["model"]["description"] == "v1"
    other = client.projects.create(project="archive", name="Archive")
    moved = typed("ModelsUpdateResponse", client.models.update(u, project, "day-detector", project_id=other["id"]))
    assert moved == {"success": True, "slug": "day-detector", "projectSlug": "archive"}
    assert client.models.retrieve(u, "archive", "day-detector")["model"]["project"] == "archive"
    client.models.create(body={"project": "archive", "model": "taken"})
    refused(lambda: client.models.update(u, "archive", "day-detector", name="Taken"), 409)
    refused(lambda: client.models.update(u, "archive", "day-detector"), 400)


def test_files_download_the_weights(client: Platform, ulmock: Ulmock, project: str) -> None:
    files = typed("ModelsFilesResponse", client.models.files(ulmock.username, project, "detector"))["files"]
    assert [(f["name"], f["size"]) for f in files] == [("best.onnx", len(tiny_onnx()))]
    assert httpx.get(files[0]["downloadUrl"]).content == tiny_onnx()


def test_clone_copies_weights_into_another_project(client: Platform, ulmock: Ulmock, project: str) -> None:
    client.projects.create(project="copies", name="Copies")
    copy = typed(
        "ModelsCloneResponse",
        client.models.clone(ulmock.username, project, "detector", project_body="copies", model_body="detector-copy"),
    )
    assert (copy["project"], copy["model"], copy["name"]) == ("copies", "detector-copy", "Detector")
    got = client.models.retrieve(ulmock.username, "copies", "detector-copy")["model"]
    assert (
        got["hasWeights"] is True
        and got["clonedFrom"] == client.models.retrieve(ulmock.username, project, "detector")["model"]["id"]
    )
    refused(lambda: client.models.clone(ulmock.username, project, "detector", project_body="nowhere"), 404)
    refused(
        lambda: client.models.clone(
            ulmock.username, project, "detector", project_body="copies", model_body="detector-copy"
        ),
        409,
    )


def test_delete_moves_to_the_trash(client: Platform, ulmock: Ulmock, project: str) -> None:
    assert typed("ModelsDeleteResponse", client.models.delete(ulmock.username, project, "detector")) == {
        "success": True
    }
    refused(lambda: client.models.retrieve(ulmock.username, project, "detector"), 404)
    assert client.models.list(ulmock.username, project)["models"] == []
