"""Per-plan quotas on the emulator's clock, tested by moving the clock, never by sleeping."""

from __future__ import annotations

from tests.helpers import error


def test_every_authenticated_answer_carries_the_headers(ulmock):
    r = ulmock.client.get("/api/datasets")
    assert r.headers["x-ratelimit-limit"] == "300"
    assert r.headers["x-ratelimit-remaining"] == "299"
    reset = int(r.headers["x-ratelimit-reset"])
    assert reset % 60 == 0 and 0 < reset - ulmock.clock.now() <= 60
    bad = ulmock.client.get("/api/datasets/nope")
    assert bad.status_code == 404 and bad.headers["x-ratelimit-remaining"] == "298"


def test_free_plan_gets_60_a_minute_then_429_with_retry_after(ulmock):
    free = ulmock.account("tiny", plan="free")
    for i in range(60):
        assert free.client.get("/api/projects").status_code == 200, i
    r = free.client.get("/api/projects")
    err = error(r, 429, "RATE_LIMITED")
    assert err["details"]["window"] == "minute"
    assert r.headers["x-ratelimit-remaining"] == "0"
    assert 1 <= int(r.headers["retry-after"]) <= 60
    ulmock.clock.advance(int(r.headers["retry-after"]))
    assert free.client.get("/api/projects").status_code == 200


def test_the_daily_quota_holds_across_minutes_until_the_day_turns(ulmock):
    capped = ulmock.account("capped", plan="enterprise", rate_limits=(5, 8))
    assert capped.client.get("/api/projects").headers["x-ratelimit-limit"] == "5"
    for _ in range(4):
        assert capped.client.get("/api/projects").status_code == 200
    ulmock.clock.advance(60)
    for _ in range(3):
        assert capped.client.get("/api/projects").status_code == 200
    r = capped.client.get("/api/projects")
    assert error(r, 429, "RATE_LIMITED")["details"]["window"] == "day"
    assert int(r.headers["retry-after"]) > 60
    ulmock.clock.advance(int(r.headers["retry-after"]))
    assert capped.client.get("/api/projects").status_code == 200


def test_quotas_are_per_account(ulmock):
    a = ulmock.account("a1", plan="enterprise", rate_limits=(2, 100))
    b = ulmock.account("b1", plan="enterprise", rate_limits=(2, 100))
    a.client.get("/api/projects"), a.client.get("/api/projects")
    assert a.client.get("/api/projects").status_code == 429
    assert b.client.get("/api/projects").status_code == 200


def test_upgrading_to_pro_raises_the_limits_at_once(ulmock):
    free = ulmock.account("grower", plan="free")
    assert free.client.get("/api/projects").headers["x-ratelimit-limit"] == "60"
    session = free.client.post("/api/billing/subscription-checkout").json()["data"]
    assert ulmock.client.post(f"{ulmock.url}/_ulmock/checkouts/{session['sessionId']}/complete").status_code == 200
    assert free.client.get("/api/projects").headers["x-ratelimit-limit"] == "300"
