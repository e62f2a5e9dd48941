"""Scenarios: every bundled world loads, and what it scripts happens, over HTTP."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.helpers import data, error
from ulmock.scenarios import bundled_scenarios, fixed_key, load_scenario

FAILURES_KEY = "ul_0000000000000000000000000000000000000f01"


def test_the_five_bundled_scenarios_are_documented():
    found = bundled_scenarios()
    assert set(found) >= {"demo", "minimal", "failures", "rate-limited", "enterprise-webhooks"}
    for name, (path, description) in found.items():
        assert description, name
        assert path.read_text().startswith(f"# {name}:"), f"{name} must open with a comment saying what it is"


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_every_bundled_scenario_builds(name):
    from ulmock.scenarios import build_emulator

    emulator = build_emulator(name, mode="manual")
    assert emulator.platform.world.accounts


@pytest.mark.ulmock(scenario="demo")
def test_demo_has_a_team_on_each_plan_with_work_under_way(ulmock):
    plans = {a["username"]: a["plan"] for a in httpx.get(f"{ulmock.url}/_ulmock/accounts").json()["data"]}
    assert plans == {"lena": "free", "acme-vision": "pro", "globex": "enterprise"}
    acme = ulmock.http_client(fixed_key("acme-vision"))
    datasets = data(acme.get("/api/datasets"))
    assert {d["name"] for d in datasets} == {"Street Scenes", "Warehouse Pallets"}
    assert next(d for d in datasets if d["name"] == "Street Scenes")["imageCount"] == 6
    assert data(acme.get("/api/deployments"))[0]["region"] == "us-central1"
    models = {m["name"]: m for m in data(acme.get("/api/models"))}
    assert models["street-detector-v2"]["status"] == "training"
    retail = next(p for p in data(acme.get("/api/projects")) if p["name"] == "Retail Shelf Audit")
    assert retail["description"] and "${" not in retail["description"]
    ulmock.clock.advance(hours=6)
    assert data(acme.get(f"/api/models/{models['street-detector-v2']['id']}/training"))["status"] == "completed"
    assert data(acme.get("/api/deployments"))[0]["status"] == "running"


def test_faker_text_is_the_same_for_the_same_seed():
    a = load_scenario("demo").scenario.accounts[1].projects[1].description
    b = load_scenario("demo").scenario.accounts[1].projects[1].description
    assert a == b and a


@pytest.mark.ulmock(scenario="minimal")
def test_minimal_is_one_pro_account_with_a_dataset(ulmock):
    assert ulmock.username == "ci-user" and ulmock.api_key == fixed_key("ci-user")
    assert data(ulmock.client.get("/api/datasets"))[0]["imageCount"] == 6


@pytest.mark.ulmock(scenario="failures")
class TestFailures:
    def client(self, ulmock):
        return ulmock.http_client(FAILURES_KEY)

    def test_the_clock_starts_where_the_scenario_says(self, ulmock):
        assert ulmock.clock.iso() == "2026-03-02T08:00:00.000Z"

    def test_datasets_fail_twice_then_recover(self, ulmock):
        c = self.client(ulmock)
        error(c.get("/api/datasets"), 500, "INTERNAL_ERROR")
        error(c.get("/api/datasets"), 500, "INTERNAL_ERROR")
        assert c.get("/api/datasets").status_code == 200
        journal = ulmock.requests(path="/api/datasets")
        assert [e.fault is not None for e in journal] == [True, True, False]

    def test_training_fails_at_epoch_3_with_the_scripted_error(self, ulmock):
        c = self.client(ulmock)
        models = {m["name"]: m["id"] for m in data(c.get("/api/models"))}
        ds = next(d for d in data(self._datasets(c)) if d["name"] == "street")
        body = {
            "modelId": models["flaky-detector"],
            "datasetId": ds["id"],
            "epochs": 10,
            "imageSize": 320,
            "gpuType": "rtx-4090",
        }
        data(c.post("/api/training/start", json=body), 201)
        ulmock.clock.advance(hours=3)
        status = data(c.get(f"/api/models/{models['flaky-detector']}/training"))
        assert status["status"] == "failed" and "CUDA out of memory" in status["error"]
        assert status["currentEpoch"] == 2
        body["modelId"] = models["solid-detector"]
        data(c.post("/api/training/start", json=body), 201)
        ulmock.clock.advance(hours=3)
        assert data(c.get(f"/api/models/{models['solid-detector']}/training"))["status"] == "completed"

    def _datasets(self, c):
        for _ in range(3):  # the scripted 500s on this route
            r = c.get("/api/datasets")
            if r.status_code == 200:
                return r
        raise AssertionError("datasets never recovered")

    def test_tflite_exports_fail_and_onnx_ones_complete(self, ulmock):
        c = self.client(ulmock)
        model = data(c.get("/api/models"))[0]["id"]
        error(c.post("/api/exports", json={"modelId": model, "format": "onnx"}), 503, "INTERNAL_ERROR")
        onnx = data(c.post("/api/exports", json={"modelId": model, "format": "onnx"}), 201)
        tflite = data(c.post("/api/exports", json={"modelId": model, "format": "tflite"}), 201)
        ulmock.clock.advance(hours=1)
        assert data(c.get(f"/api/exports/{onnx['id']}"))["status"] == "completed"
        failed = data(c.get(f"/api/exports/{tflite['id']}"))
        assert failed["status"] == "failed" and "SiLU" in failed["error"]

    def test_deployments_hang_or_fail_by_region(self, ulmock):
        c = self.client(ulmock)
        model = data(c.get("/api/models"))[0]["id"]
        made = {
            region: data(
                c.post(
                    "/api/deployments", json={"modelId": model, "region": region, "minInstances": 0, "maxInstances": 1}
                ),
                201,
            )["id"]
            for region in ("europe-west4", "asia-east1", "us-east1")
        }
        ulmock.clock.advance(hours=2)
        status = {r: data(c.get(f"/api/deployments/{i}"))["status"] for r, i in made.items()}
        assert status == {"europe-west4": "deploying", "asia-east1": "failed", "us-east1": "running"}
        logs = data(c.get(f"/api/deployments/{made['asia-east1']}/logs?severity=error"))
        assert "Quota exceeded" in logs[0]["message"]

    def test_projects_are_sometimes_slow_but_answer(self, ulmock):
        c = self.client(ulmock)
        started = time.perf_counter()
        codes = [c.get("/api/projects").status_code for _ in range(4)]
        assert codes == [200] * 4
        slow = [e for e in ulmock.requests(path="/api/projects") if e.fault]
        assert slow and all(e.durationMs >= 1500 for e in slow)
        assert time.perf_counter() - started >= 1.5 * len(slow)


@pytest.mark.ulmock(scenario="rate-limited")
def test_rate_limited_account_has_five_requests_left_today(ulmock):
    edge = ulmock.http_client("ul_00000000000000000000000000000000000ed6e0")
    for _ in range(5):
        assert edge.get("/api/projects").status_code == 200
    r = edge.get("/api/projects")
    assert error(r, 429, "RATE_LIMITED")["details"]["window"] == "day"
    assert int(r.headers["retry-after"]) == 6 * 3600
    roomy = ulmock.http_client("ul_000000000000000000000000000000000000f00d")
    assert roomy.get("/api/projects").status_code == 200
    ulmock.clock.advance(hours=6)
    assert edge.get("/api/projects").status_code == 200


@pytest.mark.ulmock(scenario="enterprise-webhooks")
def test_enterprise_webhooks_declares_endpoints_and_a_training(ulmock):
    hooks = httpx.get(f"{ulmock.url}/_ulmock/webhooks").json()["data"]
    assert [h["url"].rsplit("/", 1)[1] for h in hooks] == ["training", "exports"]
    c = ulmock.http_client("ul_00000000000000000000000000000000000e0e0e")
    assert c.get("/api/projects").headers["x-ratelimit-limit"] == "5000"
    model = data(c.get("/api/models"))[0]
    assert data(c.get(f"/api/models/{model['id']}/training"))["status"] in ("queued", "starting", "running")
    ds = data(c.get("/api/datasets"))[0]
    assert ds["imageCount"] == 24 and ds["classNames"] == ["scratch", "dent", "crack"]


def test_scenarios_load_at_run_time_through_the_control_api(ulmock):
    control = httpx.Client(base_url=f"{ulmock.url}/_ulmock")
    loaded = data(control.post("/scenario", json={"name": "rate-limited"}))
    assert loaded["accounts"] == ["edge", "roomy"] and loaded["now"] == "2026-06-01T18:00:00.000Z"
    inline = "description: tiny\naccounts:\n  - username: solo\n    plan: pro\n"
    assert data(control.post("/scenario", json={"yaml": inline}))["accounts"] == ["solo"]
    err = error(
        control.post("/scenario", json={"yaml": "description: x\naccounts:\n  - username: a\n    plann: pro\n"}),
        400,
        "VALIDATION_ERROR",
    )
    assert err["details"] == {"file": "<inline>", "line": 4, "key": "accounts[0].plann", "reason": "unknown key"}
    assert data(control.get("/accounts"))[0]["username"] == "solo"  # the broken one changed nothing
    data(control.post("/reset"))
    assert data(control.get("/accounts"))[0]["username"] == "solo"


def test_faults_through_the_control_api(ulmock):
    control = httpx.Client(base_url=f"{ulmock.url}/_ulmock")
    fault = data(
        control.post(
            "/faults",
            json={
                "method": "POST",
                "path": "/api/projects",
                "status": 503,
                "message": "down for maintenance",
                "times": 1,
            },
        ),
        201,
    )
    assert fault["remaining"] == 1
    err = error(ulmock.client.post("/api/projects", json={"name": "x"}), 503, "INTERNAL_ERROR")
    assert err["message"] == "down for maintenance"
    assert data(ulmock.client.get("/api/projects"))[0]["name"] == "ci-project"  # nothing was created
    assert ulmock.client.post("/api/projects", json={"name": "x"}).status_code == 201
    data(control.post("/faults", json={"path": "/api/*", "code": "RATE_LIMITED"}), 201)
    r = ulmock.client.get("/api/datasets")
    assert error(r, 429, "RATE_LIMITED") and r.headers["retry-after"] == "1"
    assert data(control.delete("/faults")) == {"cleared": 1}
    assert ulmock.client.get("/api/datasets").status_code == 200
    error(control.post("/faults", json={"path": "/api/x"}), 400, "VALIDATION_ERROR")
    error(control.post("/faults", json={"path": "/api/x", "status": 200}), 400, "VALIDATION_ERROR")
