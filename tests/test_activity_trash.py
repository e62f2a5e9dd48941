"""Activity records every change; the trash keeps deletions for 30 emulated days."""

from __future__ import annotations

from tests.helpers import data, error


def test_every_change_writes_an_event_newest_first(ulmock):
    d = data(ulmock.client.post("/api/datasets", json={"name": "Boats", "task": "detect"}), 201)
    ulmock.client.delete(f"/api/datasets/{d['id']}")
    ulmock.client.post("/api/trash", json={"itemId": d["id"], "type": "dataset"})
    types = [e["type"] for e in data(ulmock.client.get("/api/activity"))]
    assert types[:3] == ["dataset.restored", "dataset.deleted", "dataset.created"]


def test_search_and_date_filters(ulmock):
    data(ulmock.client.post("/api/projects", json={"name": "Alpha"}), 201)
    ulmock.clock.advance(days=2)
    data(ulmock.client.post("/api/projects", json={"name": "Beta"}), 201)
    assert [e["message"] for e in data(ulmock.client.get("/api/activity?search=alpha"))] == ["Created project 'Alpha'"]
    recent = data(ulmock.client.get("/api/activity?startDate=2026-01-16"))
    assert [e["message"] for e in recent] == ["Created project 'Beta'"]
    early = data(ulmock.client.get("/api/activity?endDate=2026-01-15"))
    assert [e["message"] for e in early] == ["Created project 'Alpha'"]
    between = data(ulmock.client.get("/api/activity?startDate=2026-01-15T00:00:00Z&endDate=2026-01-15T23:59:59Z"))
    assert len(between) == 1
    error(ulmock.client.get("/api/activity?startDate=yesterday"), 400, "VALIDATION_ERROR")
    error(ulmock.client.get("/api/activity?startDate=2026-02-01&endDate=2026-01-01"), 400, "VALIDATION_ERROR")


def test_mark_seen_and_archive(ulmock):
    for name in ("a", "b", "c"):
        ulmock.client.post("/api/projects", json={"name": name})
    events = data(ulmock.client.get("/api/activity"))
    assert not any(e["seen"] for e in events)
    assert data(ulmock.client.post("/api/activity/mark-seen", json={"ids": [events[0]["id"]]})) == {"updated": 1}
    assert data(ulmock.client.post("/api/activity/mark-seen")) == {"updated": 2}
    assert all(e["seen"] for e in data(ulmock.client.get("/api/activity")))
    assert data(ulmock.client.post("/api/activity/archive", json={"ids": [events[1]["id"]]})) == {"updated": 1}
    assert len(data(ulmock.client.get("/api/activity"))) == 2
    assert len(data(ulmock.client.get("/api/activity?archived=true"))) == 3
    error(ulmock.client.post("/api/activity/archive", json={"ids": "all"}), 400, "VALIDATION_ERROR")


def test_trash_is_purged_30_days_after_deletion_unless_restored(ulmock):
    keep = data(ulmock.client.post("/api/projects", json={"name": "keep"}), 201)
    lose = data(ulmock.client.post("/api/projects", json={"name": "lose"}), 201)
    ulmock.client.delete(f"/api/projects/{keep['id']}")
    ulmock.client.delete(f"/api/projects/{lose['id']}")
    item = data(ulmock.client.get("/api/trash"))[0]
    assert item["expiresAt"].startswith("2026-02-14T09:00:00")
    ulmock.clock.advance(days=29)
    data(ulmock.client.post("/api/trash", json={"itemId": keep["id"], "type": "project"}))
    ulmock.clock.advance(days=1, seconds=1)
    assert data(ulmock.client.get("/api/trash")) == []
    assert data(ulmock.client.get(f"/api/projects/{keep['id']}"))["name"] == "keep"
    assert "Permanently deleted project 'lose' after 30 days" in [
        e["message"] for e in data(ulmock.client.get("/api/activity"))
    ]
    error(ulmock.client.post("/api/trash", json={"itemId": lose["id"], "type": "project"}), 404, "NOT_FOUND")
    ulmock.clock.advance(days=60)
    assert data(ulmock.client.get(f"/api/projects/{keep['id']}"))["name"] == "keep"


def test_empty_trash_deletes_for_good_and_frees_storage(ulmock):
    ds = next(d for d in ulmock.client.get("/api/datasets").json()["data"] if d["imageCount"])
    before = data(ulmock.client.get("/api/storage"))
    ulmock.client.delete(f"/api/datasets/{ds['id']}")
    assert data(ulmock.client.get("/api/storage"))["breakdown"]["trash"] == before["used"]
    assert data(ulmock.client.post("/api/trash/empty")) == {"deleted": 1}
    assert data(ulmock.client.get("/api/storage"))["used"] == 0
    error(ulmock.client.post("/api/trash", json={"itemId": ds["id"], "type": "dataset"}), 404, "NOT_FOUND")


def test_restore_validation(ulmock):
    error(ulmock.client.post("/api/trash", json={"itemId": "x", "type": "car"}), 400, "VALIDATION_ERROR")
    error(ulmock.client.post("/api/trash", json={"type": "model"}), 400, "VALIDATION_ERROR")
    d = data(ulmock.client.post("/api/datasets", json={"name": "d", "task": "detect"}), 201)
    ulmock.client.delete(f"/api/datasets/{d['id']}")
    error(ulmock.client.post("/api/trash", json={"itemId": d["id"], "type": "model"}), 404, "NOT_FOUND")


def test_a_restored_item_yields_its_slug_to_a_newer_one(ulmock):
    d = data(ulmock.client.post("/api/datasets", json={"name": "Cars", "task": "detect"}), 201)
    ulmock.client.delete(f"/api/datasets/{d['id']}")
    data(ulmock.client.post("/api/datasets", json={"name": "Cars", "task": "detect"}), 201)
    ulmock.client.post("/api/trash", json={"itemId": d["id"], "type": "dataset"})
    assert data(ulmock.client.get(f"/api/datasets/{d['id']}"))["slug"] == "cars-2"
