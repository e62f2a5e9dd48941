"""The trash through the official client: what deletes put there, restore, purge, 30 days on the clock."""

from __future__ import annotations

import pytest
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused, typed
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")


def test_deleted_things_wait_in_the_trash_and_come_back(client: Platform, ulmock: Ulmock) -> None:
    project_id = client.projects.retrieve("lena", "backyard-birds")["project"]["id"]
    client.projects.delete("lena", "backyard-birds")
    client.datasets.delete("lena", "pets-and-friends")
    page = typed("LifecycleTrashResponse", client.lifecycle.trash())
    assert [(i["type"], i["slug"], i["daysRemaining"]) for i in page["items"]] == [
        ("dataset", "pets-and-friends", 30),
        ("project", "backyard-birds", 30),
    ]
    assert page["items"][1]["cascadedCount"] == 1 and page["summary"]["byType"]["datasets"]["count"] == 1
    only = client.lifecycle.trash(type="project")
    assert [i["_id"] for i in only["items"]] == [project_id]
    restored = typed("LifecycleRestoreResponse", client.lifecycle.restore(id=project_id, type="project"))
    assert restored == {"success": True, "restoredModels": 1}
    assert [m["model"] for m in client.projects.retrieve("lena", "backyard-birds")["models"]] == ["feeder-cam"]
    ulmock.clock.advance(days=31)
    assert client.lifecycle.trash()["total"] == 0  # the dataset's 30 days ran out


def test_purge_one_or_all(client: Platform) -> None:
    client.datasets.delete("lena", "pets-and-friends")
    client.projects.delete("lena", "backyard-birds")
    dataset_id = client.lifecycle.trash(type="dataset")["items"][0]["_id"]
    purged = typed(
        "LifecycleDeleteTrashResponse", client.lifecycle.delete_trash(body={"id": dataset_id, "type": "dataset"})
    )
    assert purged == {"success": True, "deletedCount": 1, "cascadedModels": 0}
    refused(lambda: client.lifecycle.restore(id=dataset_id, type="dataset"), 404)
    everything = typed("LifecycleDeleteTrashResponse", client.lifecycle.delete_trash(body={"all": True}))
    assert everything == {"success": True, "deletedCount": 1, "cascadedModels": 1}
    assert client.lifecycle.trash()["items"] == []


def test_preview_of_what_a_delete_takes_along(client: Platform) -> None:
    project = client.projects.retrieve("lena", "backyard-birds")
    preview = typed("LifecycleTrashResponse", client.lifecycle.trash(id=project["project"]["id"], type="project"))
    assert preview == {"resources": [{"id": project["models"][0]["id"], "type": "model", "name": "feeder-cam"}]}
    refused(lambda: client.lifecycle.trash(id="0" * 24, type="project"), 404)


def test_refusals(client: Platform, stranger: Platform) -> None:
    client.datasets.delete("lena", "pets-and-friends")
    dataset_id = client.lifecycle.trash()["items"][0]["_id"]
    refused(lambda: client.lifecycle.restore(id=dataset_id, type="model"), 404)  # wrong type
    refused(lambda: stranger.lifecycle.restore(id=dataset_id, type="dataset"), 404)  # someone else's
    refused(lambda: client.lifecycle.restore(id=dataset_id, type="bin"), 400)  # type: ignore[arg-type]
    refused(lambda: client.lifecycle.delete_trash(body={"id": dataset_id}), 400)
    refused(lambda: client.lifecycle.delete_trash(body={"all": False}), 400)
    refused(lambda: client.lifecycle.trash(limit=0), 400)
    assert client.lifecycle.trash()["total"] == 1
