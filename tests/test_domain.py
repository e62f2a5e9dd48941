"""The rules without HTTP: a Platform on a manual clock."""

from __future__ import annotations

import pytest

from ulmock.domain.backend import Platform
from ulmock.domain.clock import Clock
from ulmock.domain.errors import Forbidden, NotFound, RateLimited, Unauthorized, ValidationError


@pytest.fixture
def platform():
    return Platform(Clock(start=1_800_000_000.0), seed=1)


def test_the_same_seed_replays_the_same_ids(platform):
    other = Platform(Clock(start=1_800_000_000.0), seed=1)
    for p in (platform, other):
        a, _ = p.accounts.create("ann", "pro")
        p.projects.create(a, "x")
    ids = [list(p.world.accounts) for p in (platform, other)]
    assert ids[0] == ids[1]


def test_authentication_and_scopes(platform):
    acc, key = platform.accounts.create("ann", "free")
    assert platform.accounts.authenticate(f"Bearer {key.secret}")[0] is acc
    for header in (None, "", "Bearer", f"Token {key.secret}", "Bearer ul_123", "Bearer ul_" + "f" * 40):
        with pytest.raises(Unauthorized):
            platform.accounts.authenticate(header)
    narrow = platform.accounts.create_key(acc, "n", ["datasets"])
    platform.accounts.require_scope(narrow, "datasets")
    with pytest.raises(Forbidden):
        platform.accounts.require_scope(narrow, "models")


def test_rate_windows_follow_the_clock(platform):
    acc, _ = platform.accounts.create("ann", "free")
    statuses = [platform.rate_limits.hit(acc.id, 3, 10) for _ in range(3)]
    assert [s.remaining for s in statuses] == [2, 1, 0]
    with pytest.raises(RateLimited) as refused:
        platform.rate_limits.hit(acc.id, 3, 10)
    assert refused.value.retry_after == 60
    platform.clock.advance(60)
    assert platform.rate_limits.hit(acc.id, 3, 10).remaining == 2


def test_ownership_is_a_404(platform):
    a, _ = platform.accounts.create("ann", "pro")
    b, _ = platform.accounts.create("bob", "pro")
    d = platform.datasets.create(a, "mine", "detect")
    with pytest.raises(NotFound):
        platform.datasets.get(b, d.id)


def test_plan_model_limit(platform):
    a, _ = platform.accounts.create("ann", "free")
    p = platform.projects.create(a, "p")
    for i in range(100):
        platform.models.create(a, p.id, f"m{i}", quiet=True)
    with pytest.raises(Forbidden):
        platform.models.create(a, p.id, "one too many")


def test_names_are_validated(platform):
    a, _ = platform.accounts.create("ann", "pro")
    for bad in ("", "   ", "x" * 101, "tab\there"):
        with pytest.raises(ValidationError):
            platform.projects.create(a, bad)


def test_the_clock_fires_events_in_order_at_their_own_time():
    clock = Clock(start=0.0)
    seen: list[tuple[str, float]] = []
    clock.on("tick", lambda payload: seen.append((payload["n"], clock.now())))
    clock.schedule(30, "tick", {"n": "b"})
    clock.schedule(10, "tick", {"n": "a"})
    clock.schedule(99, "tick", {"n": "late"})
    assert clock.advance(50) == 50
    assert seen == [("a", 10), ("b", 30)]
    with pytest.raises(ValueError):
        clock.advance(-1)
