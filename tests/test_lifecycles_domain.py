"""The lifecycles without HTTP: a Platform on a manual clock; snapshots mid-training."""

from __future__ import annotations

import json

from ulmock.domain.backend import Platform
from ulmock.domain.clock import Clock
from ulmock.domain.metric_curves import epoch_metrics
from ulmock.scenarios import build_emulator, load_scenario
from ulmock.webhook_payloads import message


def minimal():
    p = Platform(Clock(start=1_800_000_000.0), seed=3, webhook_message=message)
    load_scenario("minimal")(p)
    account = next(iter(p.world.accounts.values()))
    model = next(iter(p.world.models(account.id).values()))
    dataset = next(iter(p.world.datasets(account.id).values()))
    return p, account, model, dataset


def test_training_on_a_manual_clock_queues_webhooks_and_settles():
    p, account, model, dataset = minimal()
    p.webhooks.register(account, "http://127.0.0.1:9/hook")
    t = p.trainings.start(account, model.id, dataset.id, 4, 320, "a100-80gb-sxm")
    statuses = [t.status]
    while t.status not in ("completed", "failed", "cancelled"):
        p.clock.advance(1)
        if statuses[-1] != t.status:
            statuses.append(t.status)
    assert statuses == ["queued", "starting", "running", "completed"]
    assert account.reserved == 0 and t.cost_so_far == t.estimated_cost
    assert p.active_trainings(account) == 0
    assert [d.type for d in p.webhooks.deliveries()] == ["training.started"] + ["training.epoch"] * 4 + [
        "training.completed"
    ]
    assert all(d.status == "pending" for d in p.webhooks.deliveries())  # nobody sends them without an emulator


def test_failure_at_an_epoch_is_scripted():
    p, account, model, dataset = minimal()
    t = p.trainings.start(account, model.id, dataset.id, 10, 640, "l4")
    p.trainings.inject_failure(t, 3, "CUDA out of memory")
    p.clock.advance(3600)
    assert t.status == "failed" and t.error == "CUDA out of memory" and t.current_epoch == 2
    assert model.status == "failed" and account.reserved == 0


def test_metrics_are_deterministic_and_believable():
    runs = [epoch_metrics(0, "training_x", e, 50) for e in range(1, 51)]
    assert runs == [epoch_metrics(0, "training_x", e, 50) for e in range(1, 51)]
    assert runs != [epoch_metrics(1, "training_x", e, 50) for e in range(1, 51)]
    maps = [r["metrics/mAP50(B)"] for r in runs]
    assert maps[-1] > maps[10] > maps[0] and abs(maps[-1] - maps[-5]) < 0.05  # rises, then saturates
    assert runs[-1]["train/box_loss"] < runs[0]["train/box_loss"]
    assert all(r["metrics/mAP50-95(B)"] < r["metrics/mAP50(B)"] for r in runs)


def test_snapshot_mid_training_round_trips_and_continues():
    e = build_emulator("minimal", mode="manual", start=1_800_000_000.0)
    p = e.platform
    account = next(iter(p.world.accounts.values()))
    model = next(iter(p.world.models(account.id).values()))
    dataset = next(iter(p.world.datasets(account.id).values()))
    p.exports.create(account, model.id, "onnx")
    t = p.trainings.start(account, model.id, dataset.id, 6, 640, "l4")
    dep = p.deployments.create(account, model.id, "us-east1", 1, 2)
    e.advance(60)
    assert t.status == "running" and 0 < t.current_epoch < 6
    snap = json.loads(json.dumps(e.snapshot()))  # as it travels over the control API
    e.advance(3600)  # the original run finishes...
    assert t.status == "completed"
    e.restore(snap)  # ...and the restored one picks up where the snapshot left it
    p2 = e.platform
    t2 = p2.world.trainings(account.id).get(t.id)
    assert t2.status == "running" and t2.current_epoch == len(t2.history) < 6
    assert p2.world.accounts[account.id].reserved == t2.reserved > 0
    assert p2.active_trainings(p2.world.accounts[account.id]) == 1
    e.advance(3600)
    assert t2.status == "completed" and t2.current_epoch == 6
    assert t2.history == t.history  # same seed, same id: the same curves
    assert p2.world.accounts[account.id].reserved == 0
    assert p2.world.deployments(account.id).get(dep.id).status == "running"
    assert all(x.status == "completed" for x in p2.world.exports(account.id).values())
    e.stop()
