"""Images by id through the official client: read, relabel, move, delete, sign."""

from __future__ import annotations

import httpx
import pytest
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused, typed
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")
DATASET = "pets-and-friends"  # the demo's first account: the six darknet sample photos


def images(client: Platform, ulmock: Ulmock, **query: str) -> dict[str, dict]:
    page = client.datasets.images(ulmock.username, DATASET, include_labels="true", limit=100, **query)
    return {i["name"]: i for i in page["images"]}


def test_retrieve_shows_fields_labels_and_classes(client: Platform, ulmock: Ulmock) -> None:
    dog = images(client, ulmock)["dog.jpg"]
    detail = typed("ImagesRetrieveResponse", client.images.retrieve(dog["id"]))
    props = detail["properties"]
    assert (props["id"], props["filename"], props["width"], props["height"]) == (dog["id"], "dog.jpg", 768, 576)
    assert props["annotationCount"] == len(detail["labels"]) == dog["labelCount"] == 3
    assert detail["labels"] == dog["labels"]
    assert [detail["classNames"][c] for c in props["classIds"]] == ["bicycle", "car", "dog"]
    assert props["retainedByVersion"] is False and detail["metadata"] == {}
    refused(lambda: client.images.retrieve("0" * 24), 404)
    assert refused(lambda: client.images.retrieve("dog"), 400) == {"error": "Invalid image ID"}


def test_update_labels_changes_the_class_statistics(client: Platform, ulmock: Ulmock) -> None:
    dog = images(client, ulmock)["dog.jpg"]
    before = {c["classId"]: c["count"] for c in client.datasets.class_stats(ulmock.username, DATASET)["classes"]}
    saved = typed(
        "ImagesUpdateResponse",
        client.images.update(
            dog["id"],
            body={
                "labels": [{"classId": 16, "bbox": [0.3, 0.6, 0.3, 0.5]}, {"classId": 16, "bbox": [0.7, 0.6, 0.2, 0.4]}]
            },
        ),
    )
    assert saved["labelCount"] == 2 and [lb["classId"] for lb in saved["labels"]] == [16, 16]
    after = {c["classId"]: c["count"] for c in client.datasets.class_stats(ulmock.username, DATASET)["classes"]}
    assert after[16] == before[16] + 1  # the dog box was one of three; now two dogs
    assert after.get(1, 0) == before[1] - 1 and after.get(2, 0) == before[2] - 1
    assert client.images.retrieve(dog["id"])["labels"] == saved["labels"]


def test_bad_labels_are_400_and_change_nothing(client: Platform, ulmock: Ulmock) -> None:
    dog = images(client, ulmock)["dog.jpg"]
    for labels in (
        [{"classId": 999, "bbox": [0.5, 0.5, 0.1, 0.1]}],
        [{"classId": 1, "bbox": [1.5, 0.5, 0.1, 0.1]}],
        [{"classId": 1, "bbox": [0.5, 0.5]}],
    ):
        refused(lambda labels=labels: client.images.update(dog["id"], body={"labels": labels}), 400)
    refused(lambda: client.images.update(dog["id"], body={}), 400)
    assert client.images.retrieve(dog["id"])["labels"] == dog["labels"]


def test_update_metadata(client: Platform, ulmock: Ulmock) -> None:
    dog = images(client, ulmock)["dog.jpg"]
    saved = typed(
        "ImagesUpdateResponse", client.images.update(dog["id"], body={"metadata": {"location": "strasbourg"}})
    )
    assert saved["metadata"] == {"location": "strasbourg"}
    assert client.images.retrieve(dog["id"])["metadata"] == {"location": "strasbourg"}


def test_delete_one_and_in_bulk(client: Platform, ulmock: Ulmock) -> None:
    by_name = images(client, ulmock)
    gone = typed("ImagesDeleteResponse", client.images.delete(by_name["dog.jpg"]["id"]))
    assert gone == {"success": True, "deletedImageId": by_name["dog.jpg"]["id"], "deletedCount": 1}
    refused(lambda: client.images.delete(by_name["dog.jpg"]["id"]), 404)
    ids = [by_name["eagle.jpg"]["id"], by_name["horses.jpg"]["id"]]
    bulk = typed("ImagesDeleteBulkResponse", client.images.delete_bulk(image_ids=ids))
    assert bulk == {"success": True, "deletedCount": 2, "deletedImageIds": ids}
    assert sorted(images(client, ulmock)) == ["giraffe.jpg", "person.jpg", "scream.jpg"]
    refused(lambda: client.images.delete_bulk(image_ids=["a" * 24] * 1001), 400)


def test_move_to_a_split(client: Platform, ulmock: Ulmock) -> None:
    by_name = images(client, ulmock)
    ids = [by_name[n]["id"] for n in ("dog.jpg", "eagle.jpg")]
    moved = typed("ImagesUpdateBulkResponse", client.images.update_bulk(image_ids=ids, split="test"))
    assert moved == {"success": True, "modifiedCount": 2, "skippedCount": 0, "targetSplit": "test"}
    assert client.datasets.retrieve(ulmock.username, DATASET)["dataset"]["splits"]["test"] == 2
    again = client.images.update_bulk(image_ids=ids, split="test")
    assert (again["modifiedCount"], again["skippedCount"]) == (0, 2)


def test_the_same_content_in_the_target_split_needs_a_policy(client: Platform, ulmock: Ulmock) -> None:
    # Copy dog.jpg's bytes as a second image in val, then move the original to val.
    with ulmock.emulator.lock:
        account = ulmock.platform.accounts.by_username(ulmock.username)
        dataset = ulmock.platform.datasets.by_slug(account, DATASET)
        dog = next(i for i in dataset.images if i.file == "dog.jpg")
        dataset.images.append(dog.model_copy(update={"file": "dog-copy.jpg", "split": "val"}))
        dog.split = "train"
    ident = images(client, ulmock)["dog.jpg"]["id"]
    assert "conflictPolicy" in refused(lambda: client.images.update_bulk(image_ids=[ident], split="val"), 409)["error"]
    skipped = client.images.update_bulk(image_ids=[ident], split="val", conflict_policy="skip")
    assert (skipped["modifiedCount"], skipped["skippedCount"]) == (0, 1)
    replaced = client.images.update_bulk(image_ids=[ident], split="val", conflict_policy="replace")
    assert replaced["modifiedCount"] == 1
    now = images(client, ulmock)
    assert "dog-copy.jpg" not in now and now["dog.jpg"]["split"] == "val"


def test_signed_urls_serve_the_photos(client: Platform, ulmock: Ulmock) -> None:
    ids = [i["id"] for i in images(client, ulmock).values()][:3]
    urls = typed("ImagesUrlsResponse", client.images.urls(image_ids=ids))
    assert set(urls["urls"]) == set(ids) and urls["depths"] == {}
    for url in urls["urls"].values():
        answer = httpx.get(url)
        assert answer.status_code == 200 and answer.content[:2] == b"\xff\xd8"
    refused(lambda: client.images.urls(image_ids=ids * 40), 400)  # more than 100


def test_public_images_read_but_never_write(client: Platform, stranger: Platform, ulmock: Ulmock) -> None:
    site = stranger.datasets.images("globex", "site-safety", limit=1)["images"][0]
    assert stranger.images.retrieve(site["id"])["properties"]["filename"] == site["name"]
    assert len(stranger.images.urls(image_ids=[site["id"]])["urls"]) == 1
    refused(lambda: stranger.images.delete(site["id"]), 404)
    refused(lambda: stranger.images.update(site["id"], body={"metadata": {"x": 1}}), 404)
    refused(lambda: stranger.images.update_bulk(image_ids=[site["id"]], split="test"), 404)
    private = images(client, ulmock)["dog.jpg"]["id"]
    refused(lambda: stranger.images.retrieve(private), 404)  # a private dataset's image reads as missing
    refused(lambda: stranger.images.urls(image_ids=[private]), 404)


def test_images_of_two_datasets_in_one_call(client: Platform, ulmock: Ulmock) -> None:
    own = images(client, ulmock)["dog.jpg"]["id"]
    public = client.datasets.images("globex", "site-safety", limit=1)["images"][0]["id"]
    refused(lambda: client.images.urls(image_ids=[own, public]), 400)
