"""Many clients at once against a live server: no lost or doubled writes, exact quotas,
and no request held up by a slow webhook receiver. No timing assertions: order is forced
with barriers and events, and timeouts are only there to fail instead of hanging."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.helpers import unlimited_emulator
from ulmock.api.app import create_app
from ulmock.domain.entities import RateLimits
from ulmock.emulator import Emulator
from ulmock.scenarios import fixed_key
from ulmock.server import ServerThread

KEY = fixed_key("ci-user")
TIMEOUT = 30.0


@pytest.fixture
def live() -> Iterator[tuple[Emulator, str]]:
    emulator = unlimited_emulator()
    with ServerThread(create_app(emulator)) as server:
        yield emulator, server.url
    emulator.stop()
    webhooks = getattr(emulator, "webhooks", None)
    if webhooks is not None:
        webhooks.stop()


def client(url: str, key: str = KEY) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=TIMEOUT)


def all_ids(c: httpx.Client, path: str) -> tuple[list[str], int]:
    ids: list[str] = []
    page = 1
    while True:
        body = c.get(path, params={"page": page, "limit": 100}).json()
        ids.extend(item["id"] for item in body["data"])
        if not body["data"]:
            return ids, body["meta"]["total"]
        page += 1


def test_concurrent_creates_are_neither_lost_nor_doubled(live: tuple[Emulator, str]) -> None:
    emulator, url = live
    threads, each = 8, 25
    with client(url) as c:
        before, _ = all_ids(c, "/api/datasets")
    start = threading.Barrier(threads)

    def writer(n: int) -> list[str]:
        made = []
        with client(url) as c:
            start.wait(timeout=TIMEOUT)
            for i in range(each):
                r = c.post("/api/datasets", json={"name": f"w{n}-{i}", "task": "detect"})
                assert r.status_code == 201, r.text
                made.append(r.json()["data"]["id"])
        return made

    with ThreadPoolExecutor(threads) as pool:
        created = [i for ids in pool.map(writer, range(threads)) for i in ids]

    assert len(created) == threads * each == len(set(created))
    with client(url) as c:
        listed, total = all_ids(c, "/api/datasets")
    assert total == len(before) + threads * each
    assert sorted(listed) == sorted(before + created)
    # Slugs stay unique too: names differ, so no writer took another's slug.
    with emulator.lock:
        account = emulator.platform.accounts.by_username("ci-user")
        slugs = [d.slug for d in emulator.platform.world.datasets(account.id).values()]  # type: ignore[union-attr]
    assert len(slugs) == len(set(slugs))


def test_concurrent_identical_names_get_distinct_slugs(live: tuple[Emulator, str]) -> None:
    _, url = live
    threads = 12
    start = threading.Barrier(threads)

    def create(_: int) -> str:
        with client(url) as c:
            start.wait(timeout=TIMEOUT)
            r = c.post("/api/projects", json={"name": "Same Name"})
            assert r.status_code == 201, r.text
            return str(r.json()["data"]["slug"])

    with ThreadPoolExecutor(threads) as pool:
        slugs = list(pool.map(create, range(threads)))
    assert len(set(slugs)) == threads


def test_rate_limit_is_exact_under_concurrency(live: tuple[Emulator, str]) -> None:
    emulator, url = live
    limit, requests = 15, 40
    with emulator.lock:
        _, key = emulator.platform.accounts.create(
            "limited", "enterprise", rate_limits=RateLimits(per_minute=limit, per_day=10**6)
        )
    start = threading.Barrier(requests)

    def call(_: int) -> tuple[int, str]:
        with client(url, key.secret) as c:
            start.wait(timeout=TIMEOUT)
            r = c.get("/api/projects")
            return r.status_code, r.headers.get("x-ratelimit-remaining", "")

    with ThreadPoolExecutor(requests) as pool:
        results = list(pool.map(call, range(requests)))

    statuses = Counter(status for status, _ in results)
    assert statuses == {200: limit, 429: requests - limit}
    # Each success saw a distinct remaining count: limit-1 down to 0.
    assert sorted(int(r) for s, r in results if s == 200) == list(range(limit))
    with emulator.lock:
        account = emulator.platform.accounts.by_username("limited")
        assert emulator.platform.rate_limits.usage(account.id) == (limit, limit)  # type: ignore[union-attr]


def test_a_slow_webhook_receiver_blocks_no_request(live: tuple[Emulator, str]) -> None:
    """A receiver that hangs while the clock's advance waits on it: the API still answers."""
    training = pytest.importorskip("ulmock.domain.training")
    from tests.receiver import Receiver

    _, url = live
    arrived, release = threading.Event(), threading.Event()

    class Stalling(Receiver):
        def __init__(self) -> None:
            super().__init__()
            handler = self._server.RequestHandlerClass
            original = handler.do_POST  # type: ignore[attr-defined]

            def do_post(h):  # type: ignore[no-untyped-def]
                arrived.set()
                release.wait(timeout=TIMEOUT)
                original(h)

            handler.do_POST = do_post  # type: ignore[attr-defined]

    with Stalling() as rx, client(url) as c:
        assert c.post("/_ulmock/webhooks", json={"url": rx.url}).status_code == 201
        model = c.get("/api/models").json()["data"][0]
        dataset = next(d for d in c.get("/api/datasets").json()["data"] if d["imageCount"])
        body = {"modelId": model["id"], "datasetId": dataset["id"], "epochs": 2, "imageSize": 640, "gpuType": "l4"}
        assert c.post("/api/training/start", json=body).status_code == 201
        seconds = training.QUEUE_SECONDS + training.STARTUP_SECONDS
        advancing = threading.Thread(
            target=lambda: client(url).post("/_ulmock/clock/advance", json={"seconds": seconds})
        )
        advancing.start()
        try:
            assert arrived.wait(timeout=TIMEOUT), "the webhook was never sent"
            # The delivery is stuck in the receiver, and the advance waits for it; meanwhile:
            assert c.get("/api/datasets").status_code == 200
            assert c.post("/api/projects", json={"name": "while stalled"}).status_code == 201
            # ...and they were answered while the delivery was still unanswered (not after
            # its send timed out): no attempt is recorded yet, and the advance still waits.
            deliveries = c.get("/_ulmock/webhooks/deliveries").json()["data"]
            assert [d["attempts"] for d in deliveries] == [[]]
            assert advancing.is_alive()
        finally:
            release.set()
            advancing.join(timeout=TIMEOUT)
        assert not advancing.is_alive()
        assert rx.types()[:1] == ["training.started"]
