"""Deployments: lifecycle on the clock, URL, metrics from served requests, logs, trash."""

from __future__ import annotations

import pytest

from tests.helpers import data, error
from ulmock.domain.deployments import CREATE_SECONDS, DEPLOY_SECONDS, STOP_SECONDS
from ulmock.domain.scripts import StuckDeployment


def create(client, model_id, **over):
    body = {"modelId": model_id, "region": "europe-west4", "minInstances": 1, "maxInstances": 3}
    return client.post("/api/deployments", json={**body, **over})


def test_lifecycle_url_metrics_logs_and_trash(ulmock):
    model = data(ulmock.client.get("/api/models"))[0]
    d = data(create(ulmock.client, model["id"]), 201)
    url = f"/api/deployments/{d['id']}"

    def status():
        return data(ulmock.client.get(url))["status"]

    seen = [d["status"]]
    ulmock.clock.advance(CREATE_SECONDS)
    seen.append(status())
    ulmock.clock.advance(DEPLOY_SECONDS)
    running = data(ulmock.client.get(url))
    seen.append(running["status"])
    assert seen == ["creating", "deploying", "running"]
    assert running["url"] == f"{ulmock.url}/deployments/{d['id']}/predict" and running["instances"] == 1
    assert d["url"] is None
    assert data(ulmock.client.get("/api/billing/usage-summary"))["usage"]["deployments"] == 1

    with ulmock.emulator.lock:  # what the inference route does for each prediction
        dep = ulmock.platform.deployments.find_any(d["id"])
        for ms, ok in [(10, True), (20, True), (30, True), (40, True), (500, False)]:
            ulmock.platform.deployments.record_request(dep, ms, ok)
    m = data(ulmock.client.get(f"{url}/metrics"))
    assert m["requests"] == 5 and m["errors"] == 1 and m["errorRate"] == 0.2
    assert m["latencyMs"]["p50"] == 30 and m["latencyMs"]["p99"] > 400
    assert m["instances"] == {"current": 1, "min": 1, "max": 3}

    stopped = data(ulmock.client.post(f"{url}/stop"))
    assert stopped["status"] == "stopping" and stopped["url"] is None
    ulmock.clock.advance(STOP_SECONDS)
    assert status() == "stopped"
    assert data(ulmock.client.post(f"{url}/start"))["status"] == "deploying"
    ulmock.clock.advance(DEPLOY_SECONDS)
    assert status() == "running"

    logs = data(ulmock.client.get(f"{url}/logs?limit=100"))
    messages = [x["message"] for x in reversed(logs)]
    assert messages[0].startswith("Deployment created") and "Deployment stopped" in messages
    errors = data(ulmock.client.get(f"{url}/logs?severity=error"))
    assert len(errors) == 1 and errors[0]["severity"] == "error"
    assert len(data(ulmock.client.get(f"{url}/logs?limit=2"))) == 2
    error(ulmock.client.get(f"{url}/logs?severity=debug"), 400, "VALIDATION_ERROR")
    activity = {a["type"] for a in data(ulmock.client.get("/api/activity?limit=100"))}
    assert {"deployment.creating", "deployment.running", "deployment.stopping", "deployment.stopped"} <= activity

    assert data(ulmock.client.get(f"/api/deployments?modelId={model['id']}"))[0]["id"] == d["id"]
    trashed = data(ulmock.client.delete(url))
    assert trashed["deleted"] is True
    error(ulmock.client.get(url), 404, "NOT_FOUND")
    assert any(t["type"] == "deployment" for t in data(ulmock.client.get("/api/trash")))
    data(ulmock.client.post("/api/trash", json={"itemId": d["id"], "type": "deployment"}))
    assert status() == "stopped"


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"region": "mars-north1"}, "region"),
        ({"minInstances": -1}, "minInstances"),
        ({"maxInstances": 0}, "maxInstances"),
        ({"minInstances": 4, "maxInstances": 3}, "minInstances"),
        ({"maxInstances": 101}, "maxInstances"),
    ],
)
def test_validation(ulmock, over, field):
    model = data(ulmock.client.get("/api/models"))[0]
    assert field in error(create(ulmock.client, model["id"], **over), 400, "VALIDATION_ERROR")["details"]


def test_plan_limit_strangers_and_scopes(ulmock):
    free = ulmock.account("hobbyist", plan="free")
    with ulmock.emulator.lock:
        acc = ulmock.platform.world.accounts[free.id]
        project = ulmock.platform.projects.create(acc, "p", quiet=True)
        model = ulmock.platform.models.create(acc, project.id, "m", quiet=True)
    ids = [data(create(free.client, model.id), 201)["id"] for _ in range(3)]
    assert error(create(free.client, model.id), 403, "FORBIDDEN")["details"]["limit"] == 3
    error(ulmock.client.get(f"/api/deployments/{ids[0]}"), 404, "NOT_FOUND")
    error(ulmock.client.post(f"/api/deployments/{ids[0]}/stop"), 404, "NOT_FOUND")
    error(ulmock.client.get(f"/api/deployments/{ids[0]}/metrics"), 404, "NOT_FOUND")
    error(create(ulmock.client, model.id), 404, "NOT_FOUND")
    key = data(free.client.post("/api/api-keys", json={"name": "k", "scopes": ["models"]}), 201)["key"]
    error(ulmock.http_client(key).get("/api/deployments"), 403, "FORBIDDEN")


def test_scale_to_zero_and_failing_region(ulmock):
    model = data(ulmock.client.get("/api/models"))[0]
    ulmock.platform.world.scripts.deployments.append(
        StuckDeployment(region="asia-east1", error="No capacity in asia-east1")
    )
    bad = data(create(ulmock.client, model["id"], region="asia-east1"), 201)
    zero = data(create(ulmock.client, model["id"], minInstances=0), 201)
    ulmock.clock.advance(CREATE_SECONDS + DEPLOY_SECONDS)
    assert data(ulmock.client.get(f"/api/deployments/{bad['id']}"))["status"] == "failed"
    assert (
        data(ulmock.client.get(f"/api/deployments/{bad['id']}/logs?severity=error"))[0]["message"]
        == "No capacity in asia-east1"
    )
    z = data(ulmock.client.get(f"/api/deployments/{zero['id']}"))
    assert z["status"] == "running" and z["instances"] == 0
    with ulmock.emulator.lock:
        ulmock.platform.deployments.record_request(ulmock.platform.deployments.find_any(zero["id"]), 12.5, True)
    assert data(ulmock.client.get(f"/api/deployments/{zero['id']}"))["instances"] == 1
