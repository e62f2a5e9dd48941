"""The control API: health, reset, accounts, the clock, the journal, snapshots."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import data, error, guarded_client


@pytest.fixture
def control(ulmock):
    return httpx.Client(base_url=f"{ulmock.url}/_ulmock")


def test_health(control):
    assert data(control.get("/health"))["status"] == "ok"


def test_accounts_are_created_with_a_working_key(ulmock, control):
    acc = data(
        control.post(
            "/accounts",
            json={
                "username": "eve",
                "plan": "enterprise",
                "balance": 12.5,
                "rateLimits": {"perMinute": 7, "perDay": 70},
            },
        ),
        201,
    )
    assert acc["plan"] == "enterprise" and acc["balance"]["cashBalance"] == 12_500_000
    r = ulmock.http_client(acc["apiKey"]).get("/api/projects")
    assert r.status_code == 200 and r.headers["x-ratelimit-limit"] == "7"
    listed = {a["username"]: a for a in data(control.get("/accounts"))}
    assert listed["eve"]["apiKeys"][0]["key"] == acc["apiKey"]
    error(control.post("/accounts", json={"username": "eve"}), 400, "VALIDATION_ERROR")
    error(control.post("/accounts", json={"username": "x", "plan": "gold"}), 400, "VALIDATION_ERROR")
    error(control.post("/accounts", json={"username": "y", "apiKey": "ul_short"}), 400, "VALIDATION_ERROR")


def test_clock_get_advance_and_set(control):
    clock = data(control.get("/clock"))
    assert clock == {"now": "2026-01-15T09:00:00.000Z", "epoch": clock["epoch"], "mode": "manual", "speed": 1.0}
    assert data(control.post("/clock/advance", json={"seconds": 90}))["now"] == "2026-01-15T09:01:30.000Z"
    assert data(control.post("/clock", json={"now": "2026-03-01T00:00:00Z"}))["now"] == "2026-03-01T00:00:00.000Z"
    error(control.post("/clock", json={"now": "2020-01-01T00:00:00Z"}), 400, "VALIDATION_ERROR")
    error(control.post("/clock/advance", json={"seconds": -1}), 400, "VALIDATION_ERROR")
    assert data(control.post("/clock", json={"mode": "realtime", "speed": 60}))["mode"] == "realtime"


def test_reset_returns_to_the_initial_world_and_time(ulmock, control):
    ulmock.client.post("/api/projects", json={"name": "scratch"})
    control.post("/clock/advance", json={"seconds": 3600})
    data(control.post("/reset"))
    assert [p["name"] for p in data(ulmock.client.get("/api/projects"))] == ["ci-project"]
    assert data(control.get("/clock"))["now"] == "2026-01-15T09:00:00.000Z"


def test_the_journal_records_and_filters_requests(ulmock, control):
    control.delete("/requests")
    ulmock.client.get("/api/projects")
    ulmock.client.get("/api/nothing")
    entries = data(control.get("/requests"))
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/api/projects", 200),
        ("GET", "/api/nothing", 404),
    ]
    assert entries[0]["account"] == "ci-user" and entries[0]["time"] == "2026-01-15T09:00:00.000Z"
    assert len(data(control.get("/requests", params={"status": 404}))) == 1
    assert len(ulmock.requests(path="/api/projects")) == 1


def test_snapshot_round_trips_the_world_and_the_clock(ulmock, control):
    ulmock.client.post("/api/projects", json={"name": "kept"})
    d = data(ulmock.client.post("/api/datasets", json={"name": "gone", "task": "detect"}), 201)
    ulmock.client.delete(f"/api/datasets/{d['id']}")
    control.post("/clock/advance", json={"seconds": 120})
    snap = control.get("/snapshot").json()["data"]
    ulmock.client.post("/api/projects", json={"name": "after"})
    control.post("/clock/advance", json={"seconds": 5000})
    assert data(control.put("/snapshot", json=snap))["restored"] is True
    assert control.get("/snapshot").json()["data"] == snap
    assert data(control.get("/clock"))["now"] == "2026-01-15T09:02:00.000Z"
    assert [p["name"] for p in data(ulmock.client.get("/api/projects"))] == ["kept", "ci-project"]
    assert [t["name"] for t in data(ulmock.client.get("/api/trash"))] == ["gone"]
    ulmock.clock.advance(days=31)
    assert data(ulmock.client.get("/api/trash")) == []
    error(control.put("/snapshot", json={"nope": 1}), 400, "VALIDATION_ERROR")


def test_checkout_completion_through_the_control_api(ulmock, control):
    s = data(ulmock.client.post("/api/billing/checkout-session", json={"amount": 5}))
    assert data(control.post(f"/checkouts/{s['sessionId']}/complete"))["amount"] == 5_000_000
    error(control.post("/checkouts/cs_unknown/complete"), 404, "NOT_FOUND")


def test_unknown_control_routes_and_methods(control):
    error(control.get("/nope"), 404, "NOT_FOUND")
    error(control.delete("/health"), 405, "VALIDATION_ERROR")


def test_admin_token_guards_the_control_api():
    client = guarded_client("s3cret")
    assert client.get("/_ulmock/health").status_code == 200
    error(client.get("/_ulmock/accounts"), 401, "UNAUTHORIZED")
    assert client.get("/_ulmock/accounts", headers={"Authorization": "Bearer s3cret"}).status_code == 200
