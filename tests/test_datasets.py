"""Datasets: CRUD, the task filter, and NDJSON exports whose images really download."""

from __future__ import annotations

import json

import httpx

from tests.helpers import data, error


def test_create_get_list_and_filter_by_task(ulmock):
    created = data(
        ulmock.client.post("/api/datasets", json={"name": "Road Signs", "task": "segment", "description": "signs"}), 201
    )
    assert created["slug"] == "road-signs" and created["imageCount"] == 0 and created["visibility"] == "private"
    assert data(ulmock.client.get(f"/api/datasets/{created['id']}")) == created
    segments = ulmock.client.get("/api/datasets?task=segment").json()
    assert [d["id"] for d in segments["data"]] == [created["id"]] and segments["meta"]["total"] == 1
    error(ulmock.client.get("/api/datasets?task=paint"), 400, "VALIDATION_ERROR")


def test_same_name_gets_a_distinct_slug(ulmock):
    a = data(ulmock.client.post("/api/datasets", json={"name": "Cars", "task": "detect"}), 201)
    b = data(ulmock.client.post("/api/datasets", json={"name": "Cars", "task": "detect"}), 201)
    assert (a["slug"], b["slug"]) == ("cars", "cars-2")


def test_delete_moves_to_trash_and_answers_404_after(ulmock):
    ds = data(ulmock.client.post("/api/datasets", json={"name": "Tmp", "task": "detect"}), 201)
    gone = data(ulmock.client.delete(f"/api/datasets/{ds['id']}"))
    assert gone["deleted"] is True and gone["trashExpiresAt"].startswith("2026-02-14T09:00:00")
    error(ulmock.client.get(f"/api/datasets/{ds['id']}"), 404, "NOT_FOUND")
    error(ulmock.client.delete(f"/api/datasets/{ds['id']}"), 404, "NOT_FOUND")
    trash = data(ulmock.client.get("/api/trash"))
    assert [(t["id"], t["type"]) for t in trash] == [(ds["id"], "dataset")]


def _samples(ulmock):
    return next(d for d in ulmock.client.get("/api/datasets").json()["data"] if d["imageCount"])


def test_export_is_ndjson_the_sdk_converts_with_real_image_bytes(ulmock):
    ds = _samples(ulmock)
    export = data(ulmock.client.post(f"/api/datasets/{ds['id']}/export"))
    assert export["format"] == "ndjson" and export["imageCount"] == ds["imageCount"]
    anonymous = httpx.Client()  # signed URLs need no key, as the SDK downloads them
    r = anonymous.get(export["downloadUrl"])
    assert r.status_code == 200 and export["downloadUrl"].split("?")[0].endswith(".ndjson")
    lines = [json.loads(line) for line in r.text.splitlines()]
    header, images = lines[0], lines[1:]
    assert header["type"] == "dataset" and header["task"] == "detect"
    assert header["class_names"]["0"] == "person"
    assert len(images) == ds["imageCount"]
    assert {i["split"] for i in images} >= {"train"}
    for image in images:
        assert image["type"] == "image" and image["width"] > 0 and image["height"] > 0
        for box in image["annotations"]["boxes"]:
            assert len(box) == 5 and all(0 <= v <= 1 for v in box[1:])
        body = anonymous.get(image["url"])
        assert body.status_code == 200 and body.content[:2] == b"\xff\xd8", image["file"]


def test_sdk_export_by_owner_and_slug(ulmock):
    ds = _samples(ulmock)
    export = data(ulmock.client.get(f"/api/datasets/{ulmock.username}/{ds['slug']}/export"))
    assert httpx.get(export["downloadUrl"]).status_code == 200
    error(ulmock.client.get(f"/api/datasets/{ulmock.username}/no-such-slug/export"), 404, "NOT_FOUND")
    stranger = ulmock.account("stranger")
    error(stranger.client.get(f"/api/datasets/{ulmock.username}/{ds['slug']}/export"), 404, "NOT_FOUND")


def test_signed_urls_refuse_tampering_and_expire_on_the_clock(ulmock):
    ds = _samples(ulmock)
    url = data(ulmock.client.post(f"/api/datasets/{ds['id']}/export"))["downloadUrl"]
    assert httpx.get(url).status_code == 200
    error(httpx.get(url.replace("signature=", "signature=0")), 403, "FORBIDDEN")
    error(httpx.get(url.replace("expires=", "expires=9")), 403, "FORBIDDEN")
    error(httpx.get(url.split("?")[0]), 403, "FORBIDDEN")
    other_path = url.replace(f"/datasets/{ds['id']}/", "/datasets/dataset_other/")
    error(httpx.get(other_path), 403, "FORBIDDEN")
    ulmock.clock.advance(3601)
    err = error(httpx.get(url), 403, "FORBIDDEN")
    assert "expired" in err["message"]


def test_exporting_writes_activity(ulmock):
    ds = _samples(ulmock)
    ulmock.client.post(f"/api/datasets/{ds['id']}/export")
    events = data(ulmock.client.get("/api/activity?search=exported"))
    assert events[0]["type"] == "dataset.exported" and events[0]["resourceId"] == ds["id"]


def test_a_listed_dataset_changed_in_place_is_listed_as_it_is_now(ulmock):
    # List pages remember each item's JSON by the facts it is made of; a record changed
    # behind the API's back (as a test may do) must still be listed as it is now.
    created = data(ulmock.client.post("/api/datasets", json={"name": "Birds", "task": "detect"}), 201)

    def listed():
        return next(d for d in data(ulmock.client.get("/api/datasets")) if d["id"] == created["id"])

    assert listed() == created
    with ulmock.emulator.lock:
        record = ulmock.platform.datasets.get(ulmock.platform.accounts.default(), created["id"])
        record.name = "Seabirds"
        record.class_names.append("gull")
    now = listed()
    assert (now["name"], now["classNames"], now["classCount"]) == ("Seabirds", ["gull"], 1)
    assert now == data(ulmock.client.get(f"/api/datasets/{created['id']}"))
