"""The webhook wire format, pinned: the exact bodies and signatures a deterministic
emulator sends for an export and two training runs, and that a snapshot carries owed
deliveries over unchanged; an event shows the state it was made in."""

from __future__ import annotations

import json

import pytest

from tests.receiver import Receiver
from ulmock.api.control.webhooks import delivery_view
from ulmock.domain.backend import Platform
from ulmock.domain.clock import Clock
from ulmock.domain.webhook_events import TrainingEpoch, TrainingState
from ulmock.scenarios import build_emulator, load_scenario
from ulmock.webhook_delivery import signed_headers
from ulmock.webhook_payloads import message

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
START = 1_800_000_000.0
IDS = (
    '"trainingId":"training_za3tdex5k9d4ocjq","modelId":"model_i82qcls7dtzt3t8v","datasetId":"dataset_vqvnukggwxrd1574"'
)
EXPORT_COMPLETED = (
    '{"id":"msg_9wcd0caosqrvypn9j1pmc5z6","type":"export.completed","createdAt":"2027-01-15T08:00:18.000Z",'
    '"data":{"exportId":"export_5uoozpxbqjfsru15","modelId":"model_i82qcls7dtzt3t8v","format":"torchscript",'
    '"status":"completed","fileName":"model.torchscript","size":262292,"completedAt":"2027-01-15T08:00:18.000Z"}}'
)
TRAINING_STARTED = (
    '{"id":"msg_bfj24uz3cd5biba4lffx8s6s","type":"training.started","createdAt":"2027-01-15T08:00:35.000Z",'
    f'"data":{{{IDS},"status":"running","currentEpoch":0,"totalEpochs":2,"gpuType":"l4","costSoFar":0}}}}'
)
TRAINING_EPOCH_2 = (
    '{"id":"msg_r5vqwmeyw2e6275y3s2g2q1q","type":"training.epoch","createdAt":"2027-01-15T08:00:48.126Z",'
    f'"data":{{{IDS},"status":"running","currentEpoch":2,"totalEpochs":2,"gpuType":"l4","costSoFar":1422,'
    '"epoch":2,"metrics":{"train/box_loss":1.11705,"train/cls_loss":1.16344,"train/dfl_loss":1.0634,'
    '"metrics/precision(B)":0.55487,"metrics/recall(B)":0.44797,"metrics/mAP50(B)":0.43334,'
    '"metrics/mAP50-95(B)":0.28782,"val/box_loss":1.30157,"val/cls_loss":1.30311,"val/dfl_loss":1.14701,'
    '"lr/pg0":0.0367,"lr/pg1":0.0033667,"lr/pg2":0.0033667}}}'
)
TRAINING_COMPLETED = (
    '{"id":"msg_0ccmbma93c6hhy7eanav4gem","type":"training.completed","createdAt":"2027-01-15T08:00:48.126Z",'
    f'"data":{{{IDS},"status":"completed","currentEpoch":2,"totalEpochs":2,"gpuType":"l4","costSoFar":1422,'
    '"metrics":{"metrics/precision(B)":0.55487,"metrics/recall(B)":0.44797,"metrics/mAP50(B)":0.43334,'
    '"metrics/mAP50-95(B)":0.28782}}}'
)
TRAINING_FAILED = (
    '{"id":"msg_idgcwgvwzsk5mqws8877urzh","type":"training.failed","createdAt":"2027-01-15T09:00:48.126Z",'
    '"data":{"trainingId":"training_2li1kpbeaccpt0fp","modelId":"model_i82qcls7dtzt3t8v",'
    '"datasetId":"dataset_vqvnukggwxrd1574","status":"failed","currentEpoch":1,"totalEpochs":3,"gpuType":"l4",'
    '"costSoFar":1422,"error":"CUDA out of memory"}}'
)


def scenario(rx: Receiver):
    """An export, a 2-epoch training that completes, a 3-epoch one that fails at epoch 2."""
    e = build_emulator("minimal", mode="manual", start=START)
    p = e.platform
    account = next(iter(p.world.accounts.values()))
    model = next(iter(p.world.models(account.id).values()))
    dataset = next(iter(p.world.datasets(account.id).values()))
    with e.lock:
        p.webhooks.register(account, rx.url, secret=SECRET)
        p.exports.create(account, model.id, "torchscript")
        p.trainings.start(account, model.id, dataset.id, 2, 640, "l4")
    e.advance(3600)
    with e.lock:
        failing = p.trainings.start(account, model.id, dataset.id, 3, 640, "l4")
        p.trainings.inject_failure(failing, 2, "CUDA out of memory")
    e.advance(3600)
    return e


def test_every_body_is_the_pinned_bytes_and_is_what_the_deliveries_list_shows():
    with Receiver() as rx:
        e = scenario(rx)
        try:
            bodies = [r["body"].decode() for r in rx.received]
            listed = e.webhooks.deliveries(delivery_view)
        finally:
            e.stop()
    assert [json.loads(b)["type"] for b in bodies] == [
        "export.completed",
        "training.started",
        "training.epoch",
        "training.epoch",
        "training.completed",
        "training.started",
        "training.epoch",
        "training.failed",
    ]
    assert bodies[0] == EXPORT_COMPLETED
    assert bodies[1] == TRAINING_STARTED
    assert bodies[3] == TRAINING_EPOCH_2
    assert bodies[4] == TRAINING_COMPLETED
    assert bodies[7] == TRAINING_FAILED
    assert [d["payload"] for d in listed] == [json.loads(b) for b in bodies]
    assert [d["messageId"] for d in listed] == [json.loads(b)["id"] for b in bodies]


def test_the_signed_headers_of_a_pinned_body():
    assert signed_headers(SECRET, "msg_9wcd0caosqrvypn9j1pmc5z6", EXPORT_COMPLETED, 1_800_000_000) == {
        "content-type": "application/json",
        "user-agent": "ulmock-webhooks/1",
        "webhook-id": "msg_9wcd0caosqrvypn9j1pmc5z6",
        "webhook-timestamp": "1800000000",
        "webhook-signature": "v1,9X2JSqoG1qby6kSmtpp8UHzv+jv9A2wU+7k9DHHvo14=",
    }


def test_a_snapshot_carries_an_owed_delivery_over_byte_for_byte():
    with Receiver(script=[500]) as rx:
        e = build_emulator("minimal", mode="manual", start=START)
        try:
            p = e.platform
            account = next(iter(p.world.accounts.values()))
            model = next(iter(p.world.models(account.id).values()))
            with e.lock:
                p.webhooks.register(account, rx.url, secret=SECRET)
                p.exports.create(account, model.id, "torchscript")
            e.advance(18)  # export.completed: answered 500, a retry owed in 5 seconds
            (owed,) = e.webhooks.deliveries(delivery_view)
            assert owed["status"] == "retrying"
            snap = json.loads(json.dumps(e.snapshot()))
            e.reset()
            e.restore(snap)
            assert e.webhooks.deliveries(delivery_view) == [owed]
            e.advance(5)
            (sent,) = e.webhooks.deliveries(delivery_view)
        finally:
            e.stop()
    assert sent["status"] == "delivered"
    first, again = (r["body"].decode() for r in rx.received)
    assert again == first and json.loads(first) == owed["payload"]
    assert first == EXPORT_COMPLETED.replace("msg_9wcd0caosqrvypn9j1pmc5z6", owed["messageId"])


def test_an_event_keeps_the_state_it_was_made_in():
    p = Platform(Clock(start=START), seed=3)
    load_scenario("minimal")(p)
    account = next(iter(p.world.accounts.values()))
    model = next(iter(p.world.models(account.id).values()))
    dataset = next(iter(p.world.datasets(account.id).values()))
    training = p.trainings.start(account, model.id, dataset.id, 4, 320, "l4")
    metrics = {"metrics/mAP50(B)": 0.5}
    event = TrainingEpoch(TrainingState.of(training), 1, metrics)
    training.status, training.current_epoch, metrics["metrics/mAP50(B)"] = "completed", 4, 0.9
    payload, body = message("msg_1", START, event)
    assert payload["data"]["status"] == "queued" and payload["data"]["currentEpoch"] == 0
    assert payload["data"]["metrics"] == {"metrics/mAP50(B)": 0.5}
    assert json.loads(body) == payload and payload["createdAt"] == "2027-01-15T08:00:00.000Z"


def test_the_domain_alone_refuses_to_queue_a_delivery_it_has_no_wire_format_for():
    p = Platform(Clock(start=START), seed=3)
    load_scenario("minimal")(p)
    account = next(iter(p.world.accounts.values()))
    model = next(iter(p.world.models(account.id).values()))
    p.exports.create(account, model.id, "torchscript")
    p.clock.advance(60)  # no endpoint: nothing to render
    p.webhooks.register(account, "http://127.0.0.1:9/hook")
    p.exports.create(account, model.id, "torchscript")
    with pytest.raises(RuntimeError, match="no wire format"):
        p.clock.advance(60)
