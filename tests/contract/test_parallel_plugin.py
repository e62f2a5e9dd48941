"""The pytest plugin under pytest-xdist: an inner suite run with `-n 2` by pytester.

Each worker has its own server on its own port, each test its own emulator: tests that
write, move the clock and spend a rate limit never see each other's effects.
"""

from __future__ import annotations

import json

pytest_plugins = ["pytester"]

INNER = """
import json, os, pytest

def record(ulmock, name):
    out = os.environ["ULMOCK_INNER_OUT"]
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump({"worker": os.environ.get("PYTEST_XDIST_WORKER"), "url": ulmock.url}, f)

@pytest.mark.parametrize("n", range(3))
def test_writes_stay_in_their_test(ulmock, n):
    record(ulmock, f"writes{n}")
    c = ulmock.client
    assert c.get("/api/projects").json()["meta"]["total"] == 1   # only ci-project: nothing leaked in
    for i in range(5):
        assert c.post("/api/projects", json={"name": f"p{n}-{i}"}).status_code == 201
    assert c.get("/api/projects").json()["meta"]["total"] == 6

def test_clock_is_per_test(ulmock):
    record(ulmock, "clock")
    assert ulmock.clock.iso() == "2026-01-15T09:00:00.000Z"
    ulmock.clock.advance(days=40)

def test_rate_limit_is_per_test(ulmock):
    record(ulmock, "limit")
    r = ulmock.client.get("/api/datasets")
    assert r.headers["x-ratelimit-remaining"] == "299"

def test_accounts_are_per_test(ulmock):
    record(ulmock, "accounts")
    assert ulmock.account("solo", plan="free").client.get("/api/projects").status_code == 200
"""


def test_plugin_runs_under_xdist_with_isolated_workers(pytester, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    out.mkdir()
    pytester.makepyfile(test_inner=INNER)
    monkeypatch.setenv("ULMOCK_INNER_OUT", str(out))
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:randomly", "-q")
    result.assert_outcomes(passed=6)

    runs = [json.loads(p.read_text()) for p in out.glob("*.json")]
    assert len(runs) == 6
    workers = {r["worker"] for r in runs}
    assert workers == {"gw0", "gw1"}, "both workers ran tests"
    # One server per worker: a port belongs to exactly one worker.
    port_of = {}
    for r in runs:
        port_of.setdefault(r["worker"], set()).add(r["url"])
    assert all(len(urls) == 1 for urls in port_of.values())
    assert port_of["gw0"] != port_of["gw1"]
