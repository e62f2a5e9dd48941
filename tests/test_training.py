"""Training over HTTP: every status a poller sees, metrics, money, activity, webhooks."""

from __future__ import annotations

import pytest
from standardwebhooks import Webhook

from tests.helpers import data, error, wait_until
from tests.receiver import Receiver
from ulmock.domain.gpu_pricing import epoch_seconds, gpu_cost
from ulmock.domain.metric_curves import METRIC_NAMES
from ulmock.domain.training import QUEUE_SECONDS, STARTUP_SECONDS


def ids(ulmock):
    model = data(ulmock.client.get("/api/models"))[0]
    dataset = next(d for d in data(ulmock.client.get("/api/datasets")) if d["imageCount"])
    return model, dataset


def start(ulmock, model, dataset, **over):
    body = {"modelId": model["id"], "datasetId": dataset["id"], "epochs": 3, "imageSize": 640, "gpuType": "rtx-4090"}
    return ulmock.client.post("/api/training/start", json={**body, **over})


def balance(ulmock):
    return data(ulmock.client.get("/api/billing/balance"))


def test_training_lifecycle_metrics_money_activity_and_webhooks(ulmock):
    model, dataset = ids(ulmock)
    with Receiver() as rx:
        hook = data(ulmock.client.post("/_ulmock/webhooks", json={"url": rx.url}), 201)
        assert hook["secret"].startswith("whsec_")
        before = balance(ulmock)
        t = data(start(ulmock, model, dataset), 201)
        secs = epoch_seconds(dataset["imageCount"], 640, "rtx-4090")
        per_epoch = gpu_cost(secs, "rtx-4090")
        assert t["status"] == "queued" and t["totalEpochs"] == 3 and t["estimatedCost"] == 3 * per_epoch
        assert t["reservedAmount"] == 3 * per_epoch and balance(ulmock)["reservedAmount"] == 3 * per_epoch
        assert data(ulmock.client.get(f"/api/models/{model['id']}"))["status"] == "training"
        usage = data(ulmock.client.get("/api/billing/usage-summary"))["usage"]
        assert usage["activeTrainings"] == 1

        def poll():
            return data(ulmock.client.get(f"/api/models/{model['id']}/training"))

        seen = [poll()["status"]]
        ulmock.clock.advance(QUEUE_SECONDS)
        seen.append(poll()["status"])
        ulmock.clock.advance(STARTUP_SECONDS)
        running = poll()
        seen.append(running["status"])
        assert running["startedAt"] is not None and running["currentEpoch"] == 0
        assert running["etaMs"] == round(3 * secs * 1000)
        progress = []
        for _ in range(3):
            ulmock.clock.advance(secs)
            s = poll()
            progress.append((s["status"], s["currentEpoch"], s["percentage"], s["costSoFar"], s["reservedAmount"]))
        assert seen == ["queued", "starting", "running"]
        assert progress == [
            ("running", 1, 33.3, per_epoch, 2 * per_epoch),
            ("running", 2, 66.7, 2 * per_epoch, per_epoch),
            ("completed", 3, 100.0, 3 * per_epoch, 0),
        ]
        done = poll()
        assert done["etaMs"] == 0 and done["elapsedMs"] == round(3 * secs * 1000) and done["error"] is None
        assert [e["epoch"] for e in done["epochs"]] == [1, 2, 3]
        assert all(set(METRIC_NAMES) <= set(e) for e in done["epochs"])
        first, last = done["epochs"][0], done["epochs"][-1]
        assert last["train/box_loss"] < first["train/box_loss"] and last["metrics/mAP50(B)"] > first["metrics/mAP50(B)"]

        # Money: charged exactly the GPU time, credit first, nothing left reserved.
        after = balance(ulmock)
        assert after["reservedAmount"] == 0
        assert after["totalBalance"] == before["totalBalance"] - 3 * per_epoch
        assert after["creditBalance"] == before["creditBalance"] - 3 * per_epoch
        assert after["cashBalance"] == before["cashBalance"]

        m = data(ulmock.client.get(f"/api/models/{model['id']}"))
        assert m["status"] == "ready" and m["datasetId"] == dataset["id"]
        assert m["metrics"]["metrics/mAP50(B)"] == last["metrics/mAP50(B)"]
        types = [e["type"] for e in data(ulmock.client.get("/api/activity?limit=100"))]
        assert {"training.queued", "training.starting", "training.started", "training.completed"} <= set(types)

        assert rx.types() == [
            "training.started",
            "training.epoch",
            "training.epoch",
            "training.epoch",
            "training.completed",
        ]
        wh = Webhook(hook["secret"])
        for r in rx.received:
            wh.verify(r["body"], r["headers"])  # raises if the signature or timestamp is wrong
        epochs = [p for p in rx.accepted() if p["type"] == "training.epoch"]
        assert [p["data"]["epoch"] for p in epochs] == [1, 2, 3]
        assert epochs[0]["data"]["metrics"]["metrics/mAP50(B)"] == first["metrics/mAP50(B)"]
        assert len(ulmock.webhooks) == 5 and all(d["status"] == "delivered" for d in ulmock.webhooks)


def test_cancel_settles_partial_epoch_and_restores_model(ulmock):
    model, dataset = ids(ulmock)
    before = balance(ulmock)
    data(start(ulmock, model, dataset, epochs=10), 201)
    secs = epoch_seconds(dataset["imageCount"], 640, "rtx-4090")
    ulmock.clock.advance(QUEUE_SECONDS + STARTUP_SECONDS + secs + 2)
    t = data(ulmock.client.delete(f"/api/models/{model['id']}/training"))
    assert t["status"] == "cancelled" and t["currentEpoch"] == 1 and t["reservedAmount"] == 0
    assert t["costSoFar"] == gpu_cost(secs, "rtx-4090") + gpu_cost(2, "rtx-4090")
    assert balance(ulmock)["reservedAmount"] == 0
    assert balance(ulmock)["totalBalance"] == before["totalBalance"] - t["costSoFar"]
    assert data(ulmock.client.get(f"/api/models/{model['id']}"))["status"] == "ready"
    ulmock.clock.advance(600)
    assert data(ulmock.client.get(f"/api/models/{model['id']}/training"))["currentEpoch"] == 1
    again = data(ulmock.client.delete(f"/api/models/{model['id']}/training"))  # idempotent, charges nothing
    assert again["status"] == "cancelled" and again["costSoFar"] == t["costSoFar"]
    assert balance(ulmock)["totalBalance"] == before["totalBalance"] - t["costSoFar"]


def test_a_finished_training_cannot_be_cancelled(ulmock):
    model, dataset = ids(ulmock)
    data(start(ulmock, model, dataset, epochs=1), 201)
    ulmock.clock.advance(hours=2)
    err = error(ulmock.client.delete(f"/api/models/{model['id']}/training"), 400, "VALIDATION_ERROR")
    assert err["message"] == "Training is already completed"


def test_running_out_of_money_mid_training_fails_the_run(ulmock):
    model, dataset = ids(ulmock)
    data(start(ulmock, model, dataset, epochs=5), 201)
    secs = epoch_seconds(dataset["imageCount"], 640, "rtx-4090")
    with ulmock.emulator.lock:  # the balance drops behind the reservation's back
        acc = ulmock.platform.world.accounts[next(iter(ulmock.platform.world.accounts))]
        acc.cash_balance, acc.credit_balance = 0, acc.reserved // 5 * 2
    ulmock.clock.advance(QUEUE_SECONDS + STARTUP_SECONDS + 5 * secs)
    t = data(ulmock.client.get(f"/api/models/{model['id']}/training"))
    assert t["status"] == "failed" and "Insufficient balance" in t["error"] and t["currentEpoch"] == 2
    b = balance(ulmock)
    assert b["reservedAmount"] == 0 and b["totalBalance"] == 0
    assert data(ulmock.client.get(f"/api/models/{model['id']}"))["status"] == "failed"


def test_faster_gpus_train_shorter_epochs():
    assert (
        epoch_seconds(100, 640, "h100-sxm")
        < epoch_seconds(100, 640, "rtx-4090")
        < epoch_seconds(100, 640, "rtx-2000-ada")
    )
    assert epoch_seconds(100, 1280, "l4") > epoch_seconds(100, 640, "l4") > epoch_seconds(50, 640, "l4")


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"epochs": 0}, "epochs"),
        ({"epochs": 1001}, "epochs"),
        ({"imageSize": 100}, "imageSize"),
        ({"imageSize": 4096}, "imageSize"),
        ({"gpuType": "gtx-1080"}, "gpuType"),
        ({"epochs": "3"}, "epochs"),
    ],
)
def test_validation(ulmock, over, field):
    model, dataset = ids(ulmock)
    err = error(start(ulmock, model, dataset, **over), 400, "VALIDATION_ERROR")
    assert field in err["details"]


def test_task_mismatch_empty_dataset_already_training_and_limits(ulmock):
    model, dataset = ids(ulmock)
    seg = data(ulmock.client.post("/api/datasets", json={"name": "segs", "task": "segment"}), 201)
    error(start(ulmock, model, seg), 400, "VALIDATION_ERROR")
    empty = data(ulmock.client.post("/api/datasets", json={"name": "empty", "task": "detect"}), 201)
    assert "datasetId" in error(start(ulmock, model, empty), 400, "VALIDATION_ERROR")["details"]
    data(start(ulmock, model, dataset), 201)
    error(start(ulmock, model, dataset), 400, "VALIDATION_ERROR")
    # Balance: an expensive run on a small balance is refused with the numbers.
    with ulmock.emulator.lock:
        acc = ulmock.platform.world.accounts[next(iter(ulmock.platform.world.accounts))]
        acc.cash_balance, acc.credit_balance = 0, 1_000_000
    err = error(
        start(ulmock, model, dataset, epochs=1000, gpuType="b300", modelId=_new_model(ulmock)), 403, "FORBIDDEN"
    )
    assert {"estimatedCost", "availableBalance"} <= set(err["details"])
    # Concurrency: a free account may run 3 at once.
    free = ulmock.account("hobbyist", plan="free", balance=100)
    with ulmock.emulator.lock:
        p = ulmock.platform
        acc = p.world.accounts[free.id]
        proj = p.projects.create(acc, "p", quiet=True)
        ds_src = p.world.datasets(next(iter(p.world.accounts))).get(dataset["id"])
        ds = p.datasets.create(acc, "d", "detect", quiet=True)
        ds.images = list(ds_src.images)
        models = [p.models.create(acc, proj.id, f"m{i}", quiet=True) for i in range(4)]
    for m in models[:3]:
        data(
            free.client.post(
                "/api/training/start",
                json={"modelId": m.id, "datasetId": ds.id, "epochs": 1, "imageSize": 320, "gpuType": "l4"},
            ),
            201,
        )
    body = {"modelId": models[3].id, "datasetId": ds.id, "epochs": 1, "imageSize": 320, "gpuType": "l4"}
    assert error(free.client.post("/api/training/start", json=body), 403, "FORBIDDEN")["details"]["limit"] == 3
    error(free.client.post("/api/training/start", json={**body, "gpuType": "b200"}), 403, "FORBIDDEN")


def _new_model(ulmock):
    project = data(ulmock.client.get("/api/projects"))[0]
    with ulmock.emulator.lock:
        acc = ulmock.platform.world.accounts[next(iter(ulmock.platform.world.accounts))]
        return ulmock.platform.models.create(acc, project["id"], "big", quiet=True).id


def test_strangers_get_404_and_scopes_403(ulmock):
    model, dataset = ids(ulmock)
    other = ulmock.account("stranger", plan="pro", balance=100)
    error(
        other.client.post(
            "/api/training/start",
            json={"modelId": model["id"], "datasetId": dataset["id"], "epochs": 1, "imageSize": 640, "gpuType": "l4"},
        ),
        404,
        "NOT_FOUND",
    )
    error(other.client.get(f"/api/models/{model['id']}/training"), 404, "NOT_FOUND")
    error(other.client.delete(f"/api/models/{model['id']}/training"), 404, "NOT_FOUND")
    error(ulmock.client.get(f"/api/models/{model['id']}/training"), 404, "NOT_FOUND")  # never trained
    key = data(ulmock.client.post("/api/api-keys", json={"name": "ro", "scopes": ["models"]}), 201)["key"]
    limited = ulmock.http_client(key)
    error(limited.post("/api/training/start", json={}), 403, "FORBIDDEN")
    error(limited.get(f"/api/models/{model['id']}/training"), 403, "FORBIDDEN")


@pytest.mark.ulmock(clock="realtime", speed=200)
def test_realtime_training_completes_and_webhooks_arrive_without_clock_calls(ulmock):
    model, dataset = ids(ulmock)
    with Receiver() as rx:
        hook = data(
            ulmock.client.post(
                "/_ulmock/webhooks", json={"url": rx.url, "events": ["training.completed", "training.started"]}
            ),
            201,
        )
        data(start(ulmock, model, dataset, epochs=2, gpuType="h100-sxm"), 201)
        wait_until(lambda: rx.types() == ["training.started", "training.completed"], 20)
        assert rx.types() == ["training.started", "training.completed"]
        for r in rx.received:
            Webhook(hook["secret"]).verify(r["body"], r["headers"])
        assert data(ulmock.client.get(f"/api/models/{model['id']}/training"))["status"] == "completed"
