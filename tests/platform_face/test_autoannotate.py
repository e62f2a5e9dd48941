"""Auto-annotation through the official client: the real network on one image, or a whole dataset on the clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused, typed
from ulmock.bundled import fixtures_root
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")
DATASET = "pets-and-friends"  # the six darknet photos, labelled with the 80 COCO classes
PHOTOS = fixtures_root() / "datasets" / "darknet-samples" / "images"


def model_ref(ulmock: Ulmock) -> str:
    return f"ul://{ulmock.username}/backyard-birds/feeder-cam"  # no weights: the bundled COCO network


def ids(client: Platform, ulmock: Ulmock, dataset: str = DATASET) -> dict[str, str]:
    return {i["name"]: i["id"] for i in client.datasets.images(ulmock.username, dataset, limit=100)["images"]}


def single(client: Platform, ulmock: Ulmock, name: str) -> list[tuple[int, tuple[float, ...]]]:
    """What models.predict (the same network) finds in the photo, as dataset rows."""
    width_height = {"dog.jpg": (768, 576), "person.jpg": (640, 424)}[name]
    answer = client.models.predict(
        ulmock.username, "backyard-birds", "feeder-cam", body={"file": (name, Path(PHOTOS / name).read_bytes())}
    )
    w, h = width_height
    rows = []
    for r in answer["images"][0]["results"]:
        b = r["box"]
        rows.append((r["class"], (round((b["x1"] + b["x2"]) / 2 / w, 2), round((b["y1"] + b["y2"]) / 2 / h, 2))))
    return sorted(rows)


def test_predict_an_image_finds_what_is_in_it(client: Platform, ulmock: Ulmock) -> None:
    dog = ids(client, ulmock)["dog.jpg"]
    answer = typed("ImagesPredictResponse", client.images.predict(dog, model_id=model_ref(ulmock)))
    names = client.datasets.retrieve(ulmock.username, DATASET)["dataset"]["classNames"]
    found = {names[p["classId"]] for p in answer["predictions"]}
    assert "dog" in found and answer["modelUsed"] == model_ref(ulmock)
    assert len(answer["confidences"]) == len(answer["predictions"])
    assert all(0 <= v <= 1 for p in answer["predictions"] for v in p["bbox"])
    # The same boxes models.predict gives for the same photo
    mine = sorted((p["classId"], (round(p["bbox"][0], 2), round(p["bbox"][1], 2))) for p in answer["predictions"])
    assert mine == single(client, ulmock, "dog.jpg")
    assert client.images.retrieve(dog)["properties"]["annotationCount"] == 3  # nothing saved


def test_predict_refusals(client: Platform, stranger: Platform, ulmock: Ulmock) -> None:
    dog = ids(client, ulmock)["dog.jpg"]
    refused(lambda: client.images.predict(dog, model_id="ul://nobody/x/y"), 404)
    refused(lambda: client.images.predict(dog, model_id="ul://bad"), 400)
    assert "not configured" in refused(lambda: client.images.predict(dog, model_id="qwen"), 503)["error"]
    refused(lambda: client.images.predict(dog, model_id=model_ref(ulmock), class_mapping=[999]), 400)
    refused(lambda: stranger.images.predict(dog, model_id=model_ref(ulmock)), 404)  # not their image
    # A model whose classes match none of the dataset's: 422 until a mapping says where they go
    with ulmock.emulator.lock:
        account = ulmock.platform.accounts.by_username(ulmock.username)
        dataset = ulmock.platform.datasets.by_slug(account, DATASET)
        saved = list(dataset.class_names)
        dataset.class_names = [f"thing-{i}" for i in range(len(saved))]
    assert "classMapping" in refused(lambda: client.images.predict(dog, model_id=model_ref(ulmock)), 422)["error"]
    mapped = client.images.predict(dog, model_id=model_ref(ulmock), class_mapping=[0] * 80)
    assert mapped["predictions"] and {p["classId"] for p in mapped["predictions"]} == {0}


def test_a_batch_labels_unlabeled_images_on_the_clock(client: Platform, ulmock: Ulmock) -> None:
    me = ulmock.username
    by_name = ids(client, ulmock)
    for name in ("dog.jpg", "person.jpg"):
        client.images.update(by_name[name], body={"labels": []})
    assert typed("DatasetsBatchResponse", client.datasets.batch(me, DATASET)) == {"activeJob": None, "lastRun": None}
    job = typed(
        "DatasetsCreateBatchResponse",
        client.datasets.create_batch(me, DATASET, body={"modelId": model_ref(ulmock), "confidence": 0.25}),
    )["jobId"]
    status = typed("DatasetsBatchResponse", client.datasets.batch(me, DATASET))
    # dog and person now, and the scream painting, which never had labels
    assert status["activeJob"]["id"] == job and status["activeJob"]["progress"] == {"processed": 0, "total": 3}
    refused(lambda: client.datasets.create_batch(me, DATASET, body={"modelId": model_ref(ulmock)}), 409)
    ulmock.clock.advance(2.6)  # queued for 2 s, then half a second an image
    assert client.datasets.batch(me, DATASET)["activeJob"]["progress"]["processed"] == 1
    ulmock.clock.advance(5)
    done = typed("DatasetsBatchResponse", client.datasets.batch(me, DATASET))
    assert done["activeJob"] is None
    last = done["lastRun"]
    assert last["id"] == job and last["failed"] is False and last["stopped"] is False
    assert last["results"]["processed"] == 3 and last["results"]["annotations"] > 0
    # The labels written are what single predicts give for those photos
    for name in ("dog.jpg", "person.jpg"):
        labels = client.images.retrieve(by_name[name])["labels"]
        rows = sorted((lb["classId"], (round(lb["bbox"][0], 2), round(lb["bbox"][1], 2))) for lb in labels)
        assert rows == single(client, ulmock, name)
    # A version was saved before labelling; the labelled images were left alone
    assert client.images.retrieve(by_name["horses.jpg"])["properties"]["annotationCount"] == 3
    versions = client.datasets.retrieve(me, DATASET)["dataset"]["versions"]
    assert [v["version"] for v in versions] == [1] and versions[0]["annotationCount"] < sum(
        i["labelCount"] for i in client.datasets.images(me, DATASET, limit=100)["images"]
    )
    assert typed("DatasetsDeleteBatchResponse", client.datasets.delete_batch(me, DATASET)) == {
        "action": "dismissed",
        "jobId": job,
    }
    assert client.datasets.batch(me, DATASET) == {"activeJob": None, "lastRun": None}
    assert client.datasets.delete_batch(me, DATASET) == {"action": "none", "jobId": None}


def test_cancelling_a_batch_stops_where_it_is(client: Platform, ulmock: Ulmock) -> None:
    me = ulmock.username
    job = client.datasets.create_batch(me, DATASET, body={"modelId": model_ref(ulmock), "includeAnnotated": True})
    ulmock.clock.advance(2.6)  # started, one image done
    assert client.datasets.delete_batch(me, DATASET) == {"action": "cancelled", "jobId": job["jobId"]}
    ulmock.clock.advance(60)
    last = client.datasets.batch(me, DATASET)["lastRun"]
    assert last["stopped"] is True and last["results"]["processed"] == 1
    refused(lambda: client.datasets.create_batch(me, DATASET, body={"operation": "blur"}), 400)
    refused(lambda: client.datasets.create_batch(me, DATASET, body={}), 400)
