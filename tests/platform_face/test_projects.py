"""Projects through the official client: owner/slug addressing, 201 creates, 409, the trash."""

from __future__ import annotations

import pytest
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused, typed
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")


def test_list_and_retrieve_with_models(client: Platform, ulmock: Ulmock) -> None:
    listed = typed("ProjectsListResponse", client.projects.list(ulmock.username))
    assert listed["total"] == 1 and listed["region"] == "us"
    (project,) = listed["projects"]
    assert (project["owner"], project["project"], project["name"]) == ("lena", "backyard-birds", "Backyard Birds")
    assert len(project["id"]) == 24 and project["modelCount"] == 1
    detail = typed("ProjectsRetrieveResponse", client.projects.retrieve("lena", "backyard-birds"))
    assert detail["isOwner"] is True and detail["project"]["id"] == project["id"]
    assert [m["model"] for m in detail["models"]] == ["feeder-cam"]


def test_create_answers_201_with_the_slug_and_refuses_a_taken_one(client: Platform) -> None:
    created = typed("ProjectsCreateResponse", client.projects.create(project="garden-cams", name="Garden Cams"))
    assert created["owner"] == "lena" and created["project"] == "garden-cams" and len(created["id"]) == 24
    assert client.projects.retrieve("lena", "garden-cams")["project"]["name"] == "Garden Cams"
    body = refused(lambda: client.projects.create(project="garden-cams", name="Other"), 409)
    assert "garden-cams" in body["error"]


@pytest.mark.parametrize("slug", ["Has Caps", "double--hyphen", "-edge", "x" * 129, "üñí"])
def test_bad_slugs_are_400(client: Platform, slug: str) -> None:
    refused(lambda: client.projects.create(project=slug, name="Fine name"), 400)
    refused(lambda: client.projects.retrieve("lena", slug), 400)


def test_missing_fields_are_400(client: Platform) -> None:
    body = refused(lambda: client.projects.create(project="no-name", name=""), 400)
    assert "name" in body["error"]
    refused(lambda: client.projects.update("lena", "backyard-birds"), 400)


def test_another_accounts_project_reads_exactly_as_an_unknown_one(client: Platform, stranger: Platform) -> None:
    unknown = refused(lambda: stranger.projects.retrieve("lena", "no-such-project"), 404)
    foreign = refused(lambda: stranger.projects.retrieve("lena", "backyard-birds"), 404)
    assert foreign == unknown == {"error": "Project not found"}
    assert refused(lambda: stranger.projects.delete("lena", "backyard-birds"), 404) == unknown
    assert refused(lambda: stranger.projects.retrieve("nobody", "backyard-birds"), 404) == unknown
    assert typed("ProjectsListResponse", stranger.projects.list("lena"))["projects"] == []
    assert client.projects.retrieve("lena", "backyard-birds")["project"]["project"] == "backyard-birds"


def test_a_public_project_is_readable_and_clonable_by_others(client: Platform, stranger: Platform) -> None:
    client.projects.update("lena", "backyard-birds", visibility="public")
    assert [p["project"] for p in stranger.projects.list("lena")["projects"]] == ["backyard-birds"]
    seen = typed("ProjectsRetrieveResponse", stranger.projects.retrieve("lena", "backyard-birds"))
    assert seen["isOwner"] is False
    copy = typed("ProjectsCloneResponse", stranger.projects.clone("lena", "backyard-birds", project_body="birds"))
    assert (copy["owner"], copy["project"], copy["modelCount"]) == ("stranger", "birds", 1)
    mine = stranger.projects.retrieve("stranger", "birds")
    assert mine["project"]["clonedFrom"] == seen["project"]["id"]


def test_rename_moves_the_slug_and_star_answers_the_count(client: Platform) -> None:
    renamed = typed("ProjectsUpdateResponse", client.projects.update("lena", "backyard-birds", name="Feeder Birds"))
    assert renamed == {"success": True, "project": "feeder-birds"}
    refused(lambda: client.projects.retrieve("lena", "backyard-birds"), 404)
    assert client.projects.retrieve("lena", "feeder-birds")["project"]["name"] == "Feeder Birds"
    starred = typed("ProjectsUpdateResponse", client.projects.update("lena", "feeder-birds", starred=True))
    assert starred == {"starred": True, "starCount": 1}
    assert client.projects.retrieve("lena", "feeder-birds")["project"]["isStarred"] is True
    client.projects.create(project="taken", name="Taken")
    refused(lambda: client.projects.update("lena", "feeder-birds", name="Taken"), 409)


def test_clone_copies_completed_models_with_their_weights(client: Platform, ulmock: Ulmock) -> None:
    copy = typed("ProjectsCloneResponse", client.projects.clone("lena", "backyard-birds", name="Birds Again"))
    assert (copy["project"], copy["name"], copy["modelCount"]) == ("birds-again", "Birds Again", 1)
    models = client.projects.retrieve("lena", "birds-again")["models"]
    assert [m["model"] for m in models] == ["feeder-cam"]
    refused(lambda: client.projects.clone("lena", "backyard-birds", project_body="birds-again"), 409)


def test_delete_takes_the_models_to_the_trash(client: Platform) -> None:
    deleted = typed("ProjectsDeleteResponse", client.projects.delete("lena", "backyard-birds"))
    assert deleted == {"success": True, "cascadedModels": 1}
    refused(lambda: client.projects.retrieve("lena", "backyard-birds"), 404)
    assert client.projects.list("lena")["total"] == 0
