"""Datasets through the official client: CRUD by owner/slug, versions, images, statistics."""

from __future__ import annotations

import httpx
import pytest
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused, typed
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")
PETS = ("lena", "pets-and-friends")  # the demo's fixture dataset: 6 photos, COCO classes


def test_list_and_retrieve(client: Platform) -> None:
    listed = typed("DatasetsListResponse", client.datasets.list("lena", include_samples="true"))
    (pets,) = listed["datasets"]
    assert (pets["owner"], pets["dataset"], pets["imageCount"], pets["status"]) == (
        "lena",
        "pets-and-friends",
        6,
        "ready",
    )
    assert len(pets["sampleImages"]) == 4 and pets["splits"]["train"] + pets["splits"]["val"] == 6
    detail = typed("DatasetsRetrieveResponse", client.datasets.retrieve(*PETS))["dataset"]
    assert detail["id"] == pets["id"] and detail["classNames"][:2] == ["person", "bicycle"]
    assert httpx.get(detail["sampleImages"][0]["url"]).headers["content-type"] == "image/jpeg"


def test_create_is_201_and_a_taken_slug_409(client: Platform) -> None:
    made = typed("DatasetsCreateResponse", client.datasets.create(dataset="pallets", name="Pallets", task="segment"))
    assert (made["owner"], made["dataset"], made["region"]) == ("lena", "pallets", "us")
    got = client.datasets.retrieve("lena", "pallets")["dataset"]
    assert (got["task"], got["imageCount"]) == ("segment", 0)
    assert "pallets" in refused(lambda: client.datasets.create(dataset="pallets", name="Again"), 409)["error"]
    refused(lambda: client.datasets.create(dataset="Bad_Slug", name="x"), 400)
    refused(lambda: client.datasets.create(dataset="fine", name="x", task="dance"), 400)  # type: ignore[arg-type]


def test_cross_account_reads_as_unknown(client: Platform, stranger: Platform) -> None:
    unknown = refused(lambda: stranger.datasets.retrieve("lena", "no-such"), 404)
    assert refused(lambda: stranger.datasets.retrieve(*PETS), 404) == unknown == {"error": "Dataset not found"}
    assert refused(lambda: stranger.datasets.images(*PETS), 404) == unknown
    assert refused(lambda: stranger.datasets.delete(*PETS), 404) == unknown
    assert refused(lambda: stranger.datasets.export(*PETS), 404) == unknown
    client.datasets.update(*PETS, visibility="public")
    assert typed("DatasetsRetrieveResponse", stranger.datasets.retrieve(*PETS))["dataset"]["isStarred"] is False
    assert refused(lambda: stranger.datasets.delete(*PETS), 404) == unknown  # public is readable, not writable


def test_update_renames_and_delete_trashes(client: Platform) -> None:
    assert typed("DatasetsUpdateResponse", client.datasets.update(*PETS, name="Pets")) == {
        "success": True,
        "dataset": "pets",
    }
    refused(lambda: client.datasets.retrieve(*PETS), 404)
    client.datasets.update("lena", "pets", starred=True, tags=["animals"], description="mine")
    got = client.datasets.retrieve("lena", "pets")["dataset"]
    assert (got["isStarred"], got["tags"], got["description"]) == (True, ["animals"], "mine")
    refused(lambda: client.datasets.update("lena", "pets"), 400)
    assert typed("DatasetsDeleteResponse", client.datasets.delete("lena", "pets")) == {"success": True}
    assert client.datasets.list("lena")["total"] == 0


def test_versions_export_describe_and_restore(client: Platform, ulmock: Ulmock) -> None:
    current = typed("DatasetsExportResponse", client.datasets.export(*PETS))
    lines = httpx.get(current["downloadUrl"]).text.splitlines()
    assert len(lines) == 7  # the dataset line and 6 images
    v1 = typed("DatasetsCreateExportResponse", client.datasets.create_export(*PETS, description="first"))
    assert (v1["version"], v1["reused"]) == (1, False)
    again = typed("DatasetsCreateExportResponse", client.datasets.create_export(*PETS))
    assert (again["version"], again["reused"]) == (1, True)  # nothing changed since
    assert typed("DatasetsUpdateExportResponse", client.datasets.update_export(*PETS, version=1, description="v1")) == {
        "ok": True
    }
    refused(lambda: client.datasets.update_export(*PETS, version=9, description="x"), 404)
    saved = typed("DatasetsExportResponse", client.datasets.export(*PETS, v=1))
    assert saved["version"] == 1 and len(httpx.get(saved["downloadUrl"]).text.splitlines()) == 7
    refused(lambda: client.datasets.export(*PETS, v=2), 404)
    with ulmock.emulator.lock:  # the dataset loses images after the snapshot...
        dataset = ulmock.platform.datasets.by_slug(ulmock.platform.accounts.by_username("lena"), PETS[1])
        del dataset.images[2:]
    assert client.datasets.retrieve(*PETS)["dataset"]["imageCount"] == 2
    restored = typed("DatasetsRestoreResponse", client.datasets.restore(*PETS, version=1))
    assert restored == {"version": 1, "imageCount": 6}  # ...and gets them back
    versions = client.datasets.retrieve(*PETS)["dataset"]["versions"]
    assert [(v["version"], v["description"], v["imageCount"]) for v in versions] == [(1, "v1", 6)]


def test_images_are_paged_with_labels_and_signed_urls(client: Platform) -> None:
    first = typed(
        "DatasetsImagesResponse",
        client.datasets.images(
            *PETS, limit=4, include_total="true", include_labels="true", include_image_urls="true", sort="name-asc"
        ),
    )
    assert first["total"] == 6 and first["hasMore"] is True and len(first["images"]) == 4
    assert [i["name"] for i in first["images"]] == ["dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg"]
    dog = first["images"][0]
    assert dog["labelCount"] == len(dog["labels"]) > 0 and len(dog["id"]) == 24
    assert {label["classId"] for label in dog["labels"]} >= {16}  # a dog
    image = httpx.get(dog["imageUrl"])
    assert image.status_code == 200 and len(image.content) == dog["bytes"]
    rest = client.datasets.images(*PETS, limit=4, cursor=first["nextCursor"], sort="name-asc")
    assert [i["name"] for i in rest["images"]] == ["person.jpg", "scream.jpg"] and rest["hasMore"] is False
    dogs = client.datasets.images(*PETS, class_ids="16", include_total="true")
    assert dogs["total"] >= 1 and all(i["labelCount"] for i in dogs["images"])
    unlabeled = client.datasets.images(*PETS, has_label="false", include_total="true")
    assert [i["name"] for i in unlabeled["images"]] == ["scream.jpg"]
    refused(lambda: client.datasets.images(*PETS, class_ids="dog"), 400)
    refused(lambda: client.datasets.images(*PETS, limit=0), 400)


def test_class_stats_count_the_labels(client: Platform) -> None:
    stats = typed("DatasetsClassStatsResponse", client.datasets.class_stats(*PETS))
    images = client.datasets.images(*PETS, include_labels="true", limit=50)["images"]
    boxes = [label for i in images for label in i["labels"]]
    assert sum(c["count"] for c in stats["classes"]) == len(boxes)
    dog = next(c for c in stats["classes"] if c["classId"] == 16)
    assert dog["count"] == sum(1 for b in boxes if b["classId"] == 16)
    assert sum(sum(row) for row in stats["locationHeatmap"]["bins"]) == len(boxes)
    assert stats["imageStats"]["formatDistribution"] == {"jpg": 6.0}
    assert len(stats["classNames"]) == 80


def test_models_trained_on_a_dataset(client: Platform) -> None:
    assert typed("DatasetsModelsResponse", client.datasets.models(*PETS)) == {"models": [], "count": 0}


@pytest.mark.ulmock(scenario="demo", api="platform")
def test_acme_models_on_street_scenes(ulmock: Ulmock) -> None:
    with Platform(api_key=_key(ulmock, "acme-vision"), base_url=ulmock.url, max_retries=0) as acme:
        trained = typed("DatasetsModelsResponse", acme.datasets.models("acme-vision", "street-scenes"))
        assert [(m["project"], m["model"], m["status"]) for m in trained["models"]] == [
            ("traffic-analytics", "street-detector-v2", "starting")
        ]


def _key(ulmock: Ulmock, username: str) -> str:
    with ulmock.emulator.lock:
        account = ulmock.platform.accounts.by_username(username)
        return str(next(iter(ulmock.platform.world.api_keys(account.id).values())).secret)
