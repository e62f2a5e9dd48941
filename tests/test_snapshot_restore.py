"""PUT /_ulmock/snapshot: what GET gave back restores verbatim; anything else changes nothing.

A refused snapshot must leave the running emulator exactly as it was: same world, same
clock (mode, speed, queue), and the lifecycles still move when the clock does.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.helpers import data, error

Snapshot = dict[str, Any]


def _set(path: str, value: Any) -> Callable[[Snapshot], Snapshot]:
    def mutate(snap: Snapshot) -> Snapshot:
        node = snap
        *parents, last = path.split(".")
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
        return snap

    return mutate


def _blob_with(**fields: Any) -> Callable[[Snapshot], Snapshot]:
    """The first blob, its source (data or fixture) replaced by `fields`."""

    def mutate(snap: Snapshot) -> Snapshot:
        blob = snap["world"]["blobs"][0]
        if "path" not in fields:
            blob.pop("data", None), blob.pop("fixture", None)
        blob.update(fields)
        return snap

    return mutate


def _whole(doc: Any) -> Callable[[Snapshot], Any]:
    return lambda snap: doc


MALFORMED: dict[str, Callable[[Snapshot], Any]] = {
    "a bare world of the wrong version": _whole({"clock": {}, "world": {"seed": 0, "secret": "x", "version": 2}}),
    "not an object": _whole([]),
    "no world": _whole({"clock": {}}),
    "clock speed a word": _set("clock.speed", "fast"),
    "clock mode unknown": _set("clock.mode", "bogus"),
    "clock speed zero": _set("clock.speed", 0),
    "clock now a word": _set("clock.now", "soon"),
    "clock queue an object": _set("clock.queue", {}),
    "clock queue event without a time": _set("clock.queue", [{"seq": 1, "kind": "training.step", "payload": {}}]),
    "clock queue event of an unknown kind": _set(
        "clock.queue", [{"at": 1.0, "seq": 1, "kind": "rm -rf", "payload": {}}]
    ),
    "world version 99": _set("world.version", 99),
    "world secret empty": _set("world.secret", ""),
    "rateWindows a list": _set("world.rateWindows", []),
    "rateWindows of three numbers": _set("world.rateWindows", {"acc": [1, 2, 3]}),
    "rng a word": _set("world.rng", "x"),
    "rng of the wrong length": _set("world.rng", [3, [1, 2, 3], None]),
    "an account without fields": _set("world.accounts", [{"id": 1}]),
    "a table of an unknown kind": _set("world.tables", {"nope": {}}),
    "a project missing its fields": _set("world.tables.project", {"acc": [{"bogus": 1}]}),
    "tables a list": _set("world.tables", []),
    "a blob with a path on the host": _blob_with(path="/etc/hostname"),
    "a blob whose bytes are not base64": _blob_with(data="***"),
    "a blob whose bytes do not match its digest": _blob_with(data="aGVsbG8="),
    "a blob naming a fixture outside the fixtures": _blob_with(fixture="../../../etc/hostname"),
    "a blob naming an absolute fixture": _blob_with(fixture="/etc/hostname"),
    "a blob naming a fixture that is not there": _blob_with(fixture="datasets/none.jpg"),
    "a blob stored beside a state file": _blob_with(stored=True),
    "a blob with two sources": _blob_with(data="aGVsbG8=", fixture="datasets/none.jpg"),
    "a queued training without its id": _set(
        "clock.queue", [{"at": 1.0, "seq": 1, "kind": "training.step", "payload": {"accountId": "x"}}]
    ),
    "faults of junk": _set("faults", [{"id": "x"}]),
    "scripts of junk": _set("world.scripts", {"trainings": [{"model": 1}]}),
    "emulator a word": _set("emulator", "x"),
    "checkouts of junk": _set("world.checkouts", [1, 2]),
    "an unknown top-level key": lambda s: {**s, "extra": 1},
}


@pytest.fixture
def control(ulmock: Any) -> httpx.Client:
    return httpx.Client(base_url=f"{ulmock.url}/_ulmock", timeout=60)


def test_what_get_returns_puts_back_verbatim(ulmock: Any, control: httpx.Client) -> None:
    """`curl …/snapshot > s.json; curl -X PUT --data @s.json …/snapshot` restores."""
    ulmock.client.post("/api/projects", json={"name": "kept"})
    saved = control.get("/snapshot").content
    ulmock.client.post("/api/projects", json={"name": "after"})
    restored = control.put("/snapshot", content=saved, headers={"content-type": "application/json"})
    assert data(restored)["restored"] is True
    assert control.get("/snapshot").json() == json.loads(saved)
    assert [p["name"] for p in data(ulmock.client.get("/api/projects"))] == ["kept", "ci-project"]


@pytest.mark.parametrize("mutate", MALFORMED.values(), ids=list(MALFORMED))
def test_a_refused_snapshot_changes_nothing(
    ulmock: Any, control: httpx.Client, mutate: Callable[[Snapshot], Any]
) -> None:
    ulmock.client.post("/api/datasets", json={"name": "with bytes", "task": "detect"})
    before = control.get("/snapshot").json()["data"]
    bad = mutate(copy.deepcopy(before))
    err = error(control.put("/snapshot", json=bad), 400, "VALIDATION_ERROR")
    assert "snapshot" in err["message"].lower()
    assert control.get("/snapshot").json()["data"] == before
    _a_training_still_completes(ulmock)


def test_every_malformed_snapshot_in_a_row_leaves_the_emulator_whole(ulmock: Any, control: httpx.Client) -> None:
    before = control.get("/snapshot").json()["data"]
    for name, mutate in MALFORMED.items():
        r = control.put("/snapshot", json=mutate(copy.deepcopy(before)))
        assert r.status_code == 400, (name, r.text)
    assert control.get("/snapshot").json()["data"] == before
    _a_training_still_completes(ulmock)


def _a_training_still_completes(ulmock: Any) -> None:
    model = data(ulmock.client.get("/api/models"))[0]
    dataset = next(d for d in data(ulmock.client.get("/api/datasets")) if d["imageCount"])
    body = {"modelId": model["id"], "datasetId": dataset["id"], "epochs": 1, "imageSize": 640, "gpuType": "rtx-4090"}
    data(ulmock.client.post("/api/training/start", json=body), 201)
    ulmock.clock.advance(hours=2)
    assert data(ulmock.client.get(f"/api/models/{model['id']}/training"))["status"] == "completed"


def test_a_state_of_ulmock_0_1_still_restores(ulmock: Any, control: httpx.Client) -> None:
    """Version 1 named fixture blobs by their host path; inside fixtures/ that still loads."""
    from ulmock.bundled import fixtures_root

    now = control.get("/snapshot").json()["data"]
    old = copy.deepcopy(now)
    old["world"]["version"] = 1
    for blob in old["world"]["blobs"]:
        if "fixture" in blob:
            blob["path"], blob["data"] = str(fixtures_root() / blob.pop("fixture")), None
        else:
            blob["path"] = None
    data(control.put("/snapshot", json=old))
    assert control.get("/snapshot").json()["data"] == now
    old["world"]["blobs"][0]["path"] = "/etc/hostname"
    error(control.put("/snapshot", json=old), 400, "VALIDATION_ERROR")
