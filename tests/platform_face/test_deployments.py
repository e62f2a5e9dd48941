"""Deployments through the official client, and a deployment's own serviceUrl.

A new deployment moves creating (10 s) -> deploying (45 s) -> ready on the clock;
stopping takes 15 s. The demo's acme-vision already runs `street-detector-v1` in
us-central1 (slug `street-detector-v1-us-central1`), ready 55 s into the world.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from ultralytics_platform import Platform

from tests.helpers import IMAGES, auth
from tests.platform_face.helpers import refused, typed
from ulmock.scenarios import fixed_key
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")
ACME = "acme-vision"
RUNNING = "street-detector-v1-us-central1"
PERSON = (IMAGES / "person.jpg").read_bytes()


@pytest.fixture
def acme(ulmock: Ulmock) -> Iterator[Platform]:
    ulmock.clock.advance(56)  # the demo's deployment is ready
    with Platform(api_key=fixed_key(ACME), base_url=ulmock.url, max_retries=0) as platform:
        yield platform


def create(acme: Platform, slug: str = "edge-eu", model: str = "street-detector-v2", **extra: object) -> dict:
    return acme.deployments.create(
        ACME, project="traffic-analytics", model=model, deployment=slug, name="Edge EU", region="europe-west4", **extra
    )  # type: ignore[arg-type]


def test_create_moves_on_the_clock_to_ready(acme: Platform, ulmock: Ulmock) -> None:
    created = typed("DeploymentsCreateResponse", create(acme, cpu=2, memory_gi=4))
    assert (
        created["deployment"] == "edge-eu" and created["status"] == "creating" and created["region"] == "europe-west4"
    )
    d = typed("DeploymentsRetrieveResponse", acme.deployments.retrieve(ACME, "edge-eu"))["deployment"]
    assert d["status"] == "creating" and "serviceUrl" not in d and d["metadata"] == {}
    assert d["resources"] == {"cpu": 2, "memoryGi": 4, "minInstances": 0, "maxInstances": 1}
    assert (d["project"], d["model"], d["name"], d["task"]) == (
        "traffic-analytics",
        "street-detector-v2",
        "Edge EU",
        "detect",
    )
    ulmock.clock.advance(11)
    assert acme.deployments.retrieve(ACME, "edge-eu")["deployment"]["status"] == "deploying"
    ulmock.clock.advance(45)
    d = acme.deployments.retrieve(ACME, "edge-eu")["deployment"]
    assert d["status"] == "ready" and d["serviceUrl"].startswith(ulmock.url) and "deployedAt" in d

    listed = typed("DeploymentsListResponse", acme.deployments.list(ACME))
    assert {x["deployment"] for x in listed["deployments"]} == {"edge-eu", RUNNING} and listed["total"] == 2
    assert [
        x["deployment"]
        for x in acme.deployments.list(ACME, model="traffic-analytics/street-detector-v2")["deployments"]
    ] == ["edge-eu"]
    assert acme.deployments.list(ACME, status="stopped")["deployments"] == []
    assert (
        acme.deployments.list(ACME, limit=1)["total"] == 2
        and len(acme.deployments.list(ACME, limit=1)["deployments"]) == 1
    )


def test_create_refusals(acme: Platform, client: Platform) -> None:
    create(acme)
    assert "already exists" in refused(lambda: create(acme), 409)["error"]
    refused(lambda: create(acme, slug="Bad_Slug"), 400)
    refused(lambda: create(acme, slug="x", model="no-such-model"), 404)
    refused(
        lambda: acme.deployments.create(
            ACME,
            project="traffic-analytics",
            model="street-detector-v2",
            deployment="moon",
            name="Moon",
            region="moon-base1",
        ),
        400,
    )  # type: ignore[arg-type]
    refused(lambda: create(acme, slug="big", cpu=3), 400)
    # lena may not deploy into acme's workspace: it reads as not found
    theirs = refused(
        lambda: client.deployments.create(
            ACME,
            project="traffic-analytics",
            model="street-detector-v2",
            deployment="mine",
            name="Mine",
            region="us-east1",
        ),
        404,
    )
    assert theirs == refused(lambda: client.deployments.retrieve(ACME, RUNNING), 404)


def test_the_plan_limits_deployments(client: Platform) -> None:
    for n in range(3):  # lena is on the free plan: three deployments
        client.deployments.create(
            "lena", project="backyard-birds", model="feeder-cam", deployment=f"d{n}", name=f"D{n}", region="us-east1"
        )
    assert (
        "3 deployments"
        in refused(
            lambda: client.deployments.create(
                "lena", project="backyard-birds", model="feeder-cam", deployment="d3", name="D3", region="us-east1"
            ),
            403,
        )["error"]
    )


def test_stop_and_start_answer_202_while_moving_and_200_when_there(acme: Platform, ulmock: Ulmock) -> None:
    stop = {"action": "stop"}
    moving = typed("DeploymentsUpdateResponse", acme.deployments.update(ACME, RUNNING, body=stop))
    assert moving["status"] == "stopping"
    start = {"action": "start"}  # while it drains: a conflict
    assert "stopping" in refused(lambda: acme.deployments.update(ACME, RUNNING, body=start), 409)["error"]
    ulmock.clock.advance(16)
    assert typed("DeploymentsUpdateResponse", acme.deployments.update(ACME, RUNNING, body=stop))["status"] == "stopped"
    started = acme.deployments.update(ACME, RUNNING, body={"action": "start"})
    assert started["status"] == "deploying"
    ulmock.clock.advance(46)
    assert acme.deployments.update(ACME, RUNNING, body={"action": "start"})["status"] == "ready"


def test_status_codes_of_update(acme: Platform, ulmock: Ulmock) -> None:
    def status(body: dict) -> int:
        return httpx.patch(f"{ulmock.url}/api/deployments/{ACME}/{RUNNING}", json=body, headers=auth(ACME)).status_code

    assert status({"action": "start"}) == 200  # already ready
    assert status({"action": "stop"}) == 202
    ulmock.clock.advance(16)
    assert status({"action": "stop"}) == 200


def test_replace_rolls_out_another_model_behind_the_same_url(acme: Platform, ulmock: Ulmock) -> None:
    url = acme.deployments.retrieve(ACME, RUNNING)["deployment"]["serviceUrl"]
    rolled = acme.deployments.update(
        ACME, RUNNING, body={"action": "replace", "project": "traffic-analytics", "model": "street-detector-v2"}
    )
    assert rolled["status"] == "deploying"
    ulmock.clock.advance(46)
    d = acme.deployments.retrieve(ACME, RUNNING)["deployment"]
    assert d["status"] == "ready" and d["model"] == "street-detector-v2" and d["serviceUrl"] == url
    again = {"action": "replace", "project": "traffic-analytics", "model": "street-detector-v2"}
    assert "already deployed" in refused(lambda: acme.deployments.update(ACME, RUNNING, body=again), 409)["error"]
    refused(lambda: acme.deployments.update(ACME, RUNNING, body={"action": "replace"}), 400)
    refused(
        lambda: acme.deployments.update(
            ACME, RUNNING, body={"action": "replace", "project": "traffic-analytics", "model": "gone"}
        ),
        404,
    )


def test_rename_resize_metadata_and_camera(acme: Platform) -> None:
    renamed = typed("DeploymentsUpdateResponse", acme.deployments.update(ACME, RUNNING, body={"name": "Main Street"}))
    assert renamed["deployment"] == "main-street"
    refused(lambda: acme.deployments.retrieve(ACME, RUNNING), 404)  # the old slug is gone
    acme.deployments.update("acme-vision", "main-street", body={"metadata": {"team": "ops"}})
    acme.deployments.update(ACME, "main-street", body={"action": "resize", "cpu": 4, "memoryGi": 8})
    d = acme.deployments.retrieve(ACME, "main-street")["deployment"]
    assert d["name"] == "Main Street" and d["metadata"] == {"team": "ops"}
    assert d["resources"]["cpu"] == 4 and d["resources"]["memoryGi"] == 8
    refused(lambda: acme.deployments.update(ACME, "main-street", body={"action": "camera", "url": "rtsp://cam"}), 400)
    refused(lambda: acme.deployments.update(ACME, "main-street", body={}), 400)
    refused(lambda: acme.deployments.update(ACME, "main-street", body={"action": "fly"}), 400)


def test_predict_through_the_api_and_the_service_url_feeds_logs_and_metrics(acme: Platform, ulmock: Ulmock) -> None:
    answer = typed(
        "DeploymentsPredictResponse", acme.deployments.predict(ACME, RUNNING, body={"file": ("p.jpg", PERSON)})
    )
    names = {r["name"] for r in answer["images"][0]["results"]}
    assert {"person", "dog"} <= names and answer["metadata"][
        "model"
    ] == "acme-vision/traffic-analytics/street-detector-v1"

    url = acme.deployments.retrieve(ACME, RUNNING)["deployment"]["serviceUrl"]
    key = auth(ACME)
    direct = httpx.post(f"{url}/predict", headers=key, files={"file": ("p.jpg", PERSON)})
    assert (
        direct.status_code == 200
        and typed("DeploymentsPredictResponse", direct.json())["images"][0]["results"] == answer["images"][0]["results"]
    )
    assert "X-RateLimit-Limit" not in direct.headers  # outside the rate limit
    for _ in range(25):  # more than the predict category's 20 a minute
        assert httpx.post(f"{url}/predict", headers=key, data={"source": "bm90IGFuIGltYWdl"}).status_code == 400
    assert httpx.post(f"{url}/predict", files={"file": ("p.jpg", PERSON)}).status_code == 401
    assert httpx.post(f"{ulmock.url}/endpoints/{'0' * 24}/predict", headers=key).json() == {
        "error": "Deployment not found"
    }

    ulmock.clock.advance(60)
    full = typed("DeploymentsMetricsResponse", acme.deployments.metrics(ACME, RUNNING, range="1h"))
    assert full["summary"]["totalRequests"] == 27 and full["summary"]["errorCount"] == 25
    assert full["summary"]["p95LatencyMs"] > 0 and len(full["timeSeries"]["requests"]) == 12
    assert sum(p["value"] for p in full["timeSeries"]["requests"]) == 27
    assert max(p["value"] for p in full["timeSeries"]["instanceCount"]) >= 1
    overview = typed("DeploymentsMetricsResponse", acme.deployments.metrics(ACME, RUNNING, view="overview"))
    assert (
        set(overview["timeSeries"]) == {"requests", "errors", "latencyP95"}
        and len(overview["timeSeries"]["requests"]) == 24
    )
    spark = typed("DeploymentsMetricsResponse", acme.deployments.metrics(ACME, RUNNING, sparkline="true"))
    assert sum(spark["requests24h"]) == spark["totalRequests"] == 27 and spark["errorRate"] == round(25 / 27, 4)

    logs = typed("DeploymentsLogsResponse", acme.deployments.logs(ACME, RUNNING, severity="ERROR", limit=10))
    assert len(logs["entries"]) == 10 and all(e["severity"] == "ERROR" for e in logs["entries"])
    more = acme.deployments.logs(ACME, RUNNING, severity="ERROR", limit=10, page_token=logs["nextPageToken"])
    # The second page goes on where the first stopped (entries alike in content are still distinct lines).
    both = acme.deployments.logs(ACME, RUNNING, severity="ERROR", limit=20)["entries"]
    assert more["entries"][0]["timestamp"] <= logs["entries"][-1]["timestamp"]
    assert both == logs["entries"] + more["entries"]
    served = acme.deployments.logs(ACME, RUNNING, severity="INFO,NOTICE")["entries"]
    assert any("detection(s) by bundled/yolov3-tiny" in e["message"] for e in served)
    refused(lambda: acme.deployments.logs(ACME, RUNNING, severity="LOUD"), 400)
    refused(lambda: acme.deployments.logs(ACME, RUNNING, page_token="abc"), 400)
    refused(lambda: acme.deployments.metrics(ACME, RUNNING, range="2y"), 400)  # type: ignore[arg-type]


def test_health_and_predict_follow_the_status(acme: Platform, ulmock: Ulmock) -> None:
    health = typed("DeploymentsHealthResponse", acme.deployments.health(ACME, RUNNING))
    assert health["healthy"] is True and health["status"] == 200 and health["latencyMs"] > 0
    create(acme)
    assert "no service URL" in refused(lambda: acme.deployments.health(ACME, "edge-eu"), 400)["error"]
    ulmock.clock.advance(11)
    assert acme.deployments.health(ACME, "edge-eu") == {
        "healthy": False,
        "status": 503,
        "latencyMs": 0.0,
        "error": "Deployment is deploying",
    }
    assert (
        "not ready"
        in refused(lambda: acme.deployments.predict(ACME, "edge-eu", body={"file": ("p.jpg", PERSON)}), 400)["error"]
    )


def test_delete_removes_it_for_good(acme: Platform, client: Platform, ulmock: Ulmock) -> None:
    assert typed("DeploymentsDeleteResponse", acme.deployments.delete(ACME, RUNNING)) == {"success": True}
    assert refused(lambda: acme.deployments.retrieve(ACME, RUNNING), 404) == {"error": "Deployment not found"}
    assert acme.deployments.list(ACME)["total"] == 0
    refused(lambda: acme.deployments.delete(ACME, RUNNING), 404)
    refused(lambda: client.deployments.list(ACME), 404)
    with Platform(api_key="", base_url=ulmock.url, max_retries=0) as anonymous:
        refused(lambda: anonymous.deployments.list(ACME), 401)
