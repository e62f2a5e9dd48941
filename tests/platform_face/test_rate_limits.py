"""The live face's quotas: per API key, per category, a sliding minute on the emulator's clock."""

from __future__ import annotations

import pytest
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused
from ulmock.domain.clock import parse_iso
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(api="platform")


def test_the_default_category_allows_100_a_minute_then_429_with_when(ulmock: Ulmock) -> None:
    for _n in range(100):
        r = ulmock.client.get("/api/account/summary")
        assert r.status_code == 200
    assert r.headers["x-ratelimit-limit"] == "100" and r.headers["x-ratelimit-remaining"] == "0"
    refused_at = ulmock.clock.now()
    r = ulmock.client.get("/api/storage")
    assert r.status_code == 429
    body = r.json()
    assert set(body) == {"error", "retryAfter", "resetAt"}
    assert body["retryAfter"] == int(r.headers["retry-after"]) == 60
    assert body["resetAt"] == r.headers["x-ratelimit-reset"]
    assert parse_iso(body["resetAt"]) == pytest.approx(refused_at + 60, abs=1)


def test_the_window_slides_with_the_clock(ulmock: Ulmock) -> None:
    for _ in range(50):
        ulmock.client.get("/api/account/summary")
    ulmock.clock.advance(30)
    for _ in range(50):
        ulmock.client.get("/api/account/summary")
    assert ulmock.client.get("/api/account/summary").status_code == 429
    ulmock.clock.advance(31)  # the first fifty leave the window, the last fifty stay
    r = ulmock.client.get("/api/account/summary")
    assert r.status_code == 200 and r.headers["x-ratelimit-remaining"] == "49"


def test_categories_count_apart_and_keys_count_apart(ulmock: Ulmock, client: Platform) -> None:
    dataset = client.datasets.create(dataset="d", name="D")
    body = {
        "assetId": dataset["id"],
        "assetType": "datasets",
        "filename": "a.zip",
        "contentType": "application/zip",
        "totalBytes": 10,
    }
    for _ in range(10):
        client.upload.signed_url(body=body)
    refused(lambda: client.upload.signed_url(body=body), 429)
    assert client.account.summary()["username"] == ulmock.username  # the default counter is untouched
    other = ulmock.account("other", plan="pro")
    with ulmock.emulator.lock:
        second = ulmock.platform.accounts.add_key(ulmock.platform.accounts.by_username(ulmock.username), "second")
    with Platform(api_key=second.secret, base_url=ulmock.url, max_retries=0) as same_account_other_key:
        same_account_other_key.upload.signed_url(body=body)  # per key, not per account
    assert other.client.get("/api/account/summary").status_code == 200
