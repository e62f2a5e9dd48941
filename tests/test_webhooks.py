"""Webhooks: Standard Webhooks signatures, delivery in order, retries on the emulator clock."""

from __future__ import annotations

from standardwebhooks import Webhook

from tests.helpers import data, error, free_port
from tests.receiver import Receiver
from ulmock.domain.clock import parse_iso
from ulmock.domain.training import QUEUE_SECONDS, STARTUP_SECONDS
from ulmock.webhook_delivery import sign


def start_training(ulmock, epochs=2):
    model = data(ulmock.client.get("/api/models"))[0]
    dataset = next(d for d in data(ulmock.client.get("/api/datasets")) if d["imageCount"])
    body = {"modelId": model["id"], "datasetId": dataset["id"], "epochs": epochs, "imageSize": 640, "gpuType": "l4"}
    return data(ulmock.client.post("/api/training/start", json=body), 201)


def test_failed_deliveries_retry_with_backoff_and_keep_order(ulmock):
    with Receiver(script=[500, 500]) as rx:
        hook = data(ulmock.client.post("/_ulmock/webhooks", json={"url": rx.url}), 201)
        start_training(ulmock)
        t0 = ulmock.clock.now()
        ulmock.clock.advance(QUEUE_SECONDS + STARTUP_SECONDS)  # training.started: answered 500
        assert [r["status"] for r in rx.received] == [500]
        ulmock.clock.advance(200)
        assert [r["status"] for r in rx.received] == [500, 500, 200, 200, 200, 200]
        assert rx.types() == ["training.started", "training.epoch", "training.epoch", "training.completed"]
        # The same message each time: one id, signed afresh, verified by the public package.
        first_ids = {r["headers"]["webhook-id"] for r in rx.received[:3]}
        assert len(first_ids) == 1
        for r in rx.received:
            Webhook(hook["secret"]).verify(r["body"], r["headers"])

        deliveries = data(ulmock.client.get("/_ulmock/webhooks/deliveries"))
        assert [d["type"] for d in deliveries] == rx.types() and all(d["status"] == "delivered" for d in deliveries)
        first = deliveries[0]
        assert [a["statusCode"] for a in first["attempts"]] == [200 if i == 2 else 500 for i in range(3)]
        times = [parse_iso(a["at"]) - t0 for a in first["attempts"]]
        started = QUEUE_SECONDS + STARTUP_SECONDS
        assert times == [started, started + 5, started + 35]
        assert first["attempts"][0]["error"] == "HTTP 500"
        assert first["payload"]["type"] == "training.started" and first["payload"]["data"]["totalEpochs"] == 2
        # Later messages waited behind the failing one.
        assert all(parse_iso(d["attempts"][0]["at"]) - t0 >= started + 35 for d in deliveries[1:])


def test_unreachable_endpoint_records_every_attempt_and_drops_nothing(ulmock):
    port = free_port()
    data(
        ulmock.client.post(
            "/_ulmock/webhooks", json={"url": f"http://127.0.0.1:{port}/x", "events": ["training.started"]}
        ),
        201,
    )
    start_training(ulmock, epochs=1)
    ulmock.clock.advance(QUEUE_SECONDS + STARTUP_SECONDS + 40)
    (d,) = ulmock.webhooks
    assert d["status"] == "retrying" and len(d["attempts"]) == 3 and all(a["error"] for a in d["attempts"])
    assert d["nextAttemptAt"] is not None
    ulmock.clock.advance(days=2)
    (d,) = ulmock.webhooks
    assert d["status"] == "failed" and len(d["attempts"]) == 8


def test_event_filter_accounts_and_control_api(ulmock):
    with Receiver() as rx:
        secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        hook = data(
            ulmock.client.post(
                "/_ulmock/webhooks",
                json={"url": rx.url, "events": ["training.completed"], "secret": secret, "account": "ci-user"},
            ),
            201,
        )
        assert hook["secret"] == secret and hook["events"] == ["training.completed"]
        other = ulmock.account("someone-else")
        data(ulmock.client.post("/_ulmock/webhooks", json={"url": rx.url, "account": other.username}), 201)
        listed = data(ulmock.client.get("/_ulmock/webhooks"))
        assert [h["account"] for h in listed] == ["ci-user", "someone-else"]
        start_training(ulmock, epochs=1)
        ulmock.clock.advance(120)
        assert rx.types() == ["training.completed"]  # the other account's endpoint heard nothing
        error(
            ulmock.client.post("/_ulmock/webhooks", json={"url": rx.url, "events": ["model.eaten"]}),
            400,
            "VALIDATION_ERROR",
        )
        error(ulmock.client.post("/_ulmock/webhooks", json={"url": "ftp://x"}), 400, "VALIDATION_ERROR")
        error(ulmock.client.post("/_ulmock/webhooks", json={"url": rx.url, "account": "nobody"}), 404, "NOT_FOUND")
        assert data(ulmock.client.delete(f"/_ulmock/webhooks/{hook['id']}"))["deleted"] is True
        error(ulmock.client.delete(f"/_ulmock/webhooks/{hook['id']}"), 404, "NOT_FOUND")
        assert len(data(ulmock.client.get("/_ulmock/webhooks"))) == 1


def test_signature_matches_the_standard():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = '{"id":"msg_1","type":"export.completed"}'
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(__import__("time").time()))}
    headers["webhook-signature"] = sign(secret, "msg_1", int(headers["webhook-timestamp"]), body)
    assert Webhook(secret).verify(body, headers) == {"id": "msg_1", "type": "export.completed"}
