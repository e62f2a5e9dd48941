"""The `ultralytics` package's calls over HTTP, sent as the SDK sends them (no torch needed).

Bodies and headers follow `ultralytics/utils/callbacks/platform.py` and the
`ultralytics-platform` client: JSON with a Bearer key, fields read at the top level
of the answer, checkpoint bytes PUT without a key to the signed URL.
"""

from __future__ import annotations

import io
import zipfile

import httpx
import pytest

from tests.helpers import data, error
from tests.receiver import Receiver

pytestmark = pytest.mark.ulmock(scenario="demo")
USER = "acme-vision"
PROJECT = f"{USER}/traffic-analytics"
METRICS = "/api/webhooks/training/metrics"
UPLOAD = "/api/webhooks/models/upload"


def checkpoint(tag: bytes = b"w") -> bytes:
    """Something `torch.save` could have written: a zip holding `archive/data.pkl`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        # A fixed timestamp: zip headers carry the time, and tests compare bytes.
        z.writestr(zipfile.ZipInfo("archive/data.pkl", date_time=(2026, 1, 1, 0, 0, 0)), b"\x80\x02}q\x00." + tag)
    return buf.getvalue()


@pytest.fixture
def sdk(ulmock):
    """A client carrying acme-vision's key, as the SDK's Platform client does."""
    key = next(a for a in ulmock.emulator.platform.world.accounts.values() if a.username == USER)
    secret = next(iter(ulmock.emulator.platform.world.api_keys(key.id).values())).secret
    return ulmock.http_client(secret)


def started(sdk, name="exp", **extra):
    body = {
        "project": PROJECT,
        "name": name,
        "event": "training_started",
        "data": {
            "trainArgs": {"data": f"ul://{USER}/datasets/street-scenes", "imgsz": "64", "task": "detect"},
            "epochs": 2,
            "device": "cpu",
            "environment": {"os": "Linux"},
        },
        **extra,
    }
    r = sdk.post(METRICS, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def event(sdk, model_id, name, payload):
    return sdk.post(METRICS, json={"modelId": model_id, "event": name, "data": payload})


def epoch(sdk, model_id, n, map50=0.1):
    metrics = {
        "train/box_loss": 3.0 - n,
        "metrics/mAP50(B)": map50,
        "metrics/mAP50-95(B)": map50 / 2,
        "val/box_loss": None,
        "lr/pg0": 0.01,
    }
    return event(sdk, model_id, "epoch_end", {"epoch": n, "metrics": metrics, "fitness": map50, "best_fitness": map50})


def upload(sdk, model_id, run_id, body, filename="best.pt"):
    target = sdk.post(UPLOAD, json={"filename": filename, "modelId": model_id, "runId": run_id})
    assert target.status_code == 200, target.text
    url = target.json()["uploadUrl"]
    put = httpx.put(url, content=body, headers={"Content-Type": "application/octet-stream"})
    return target.json(), put


def test_a_whole_reported_run_shows_up_like_a_platform_training(ulmock, sdk):
    with Receiver() as rx:
        data(ulmock.client.post("/_ulmock/webhooks", json={"url": rx.url, "account": USER}), 201)
        ans = started(sdk)
        assert ans["received"] is True and ans["event"] == "training_started" and ans["cancelled"] is False
        assert isinstance(ans["runId"], int) and ans["modelUrl"].endswith(f"/{PROJECT}/exp")
        assert ans["data"]["modelId"] == ans["modelId"]  # the envelope is there too
        model_id = ans["modelId"]
        model = data(sdk.get(f"/api/models/{model_id}"))
        assert model["status"] == "training" and model["source"] == "sdk" and model["slug"] == "exp"
        t = data(sdk.get(f"/api/models/{model_id}/training"))
        assert t["status"] == "running" and t["totalEpochs"] == 2 and t["gpuType"] == "cpu" and t["imageSize"] == 64
        assert t["datasetId"].startswith("dataset_")

        for n in (0, 1):
            r = epoch(sdk, model_id, n, map50=0.1 * (n + 1))
            assert r.status_code == 200 and r.json()["cancelled"] is False
        t = data(sdk.get(f"/api/models/{model_id}/training"))
        assert [e["epoch"] for e in t["epochs"]] == [1, 2] and t["currentEpoch"] == 2
        assert t["epochs"][1]["metrics/mAP50(B)"] == pytest.approx(0.2) and "val/box_loss" not in t["epochs"][1]
        assert (
            event(sdk, model_id, "console_output", {"chunkId": 1, "content": "a\nb", "lineCount": 2}).status_code == 200
        )

        target, put = upload(sdk, model_id, ans["runId"], checkpoint())
        assert put.status_code == 200, put.text
        assert target["modelId"] == model_id and target["gcsPath"].endswith("/best.pt")
        saved = {"modelPath": target["gcsPath"], "runId": ans["runId"], "uploadPath": target["uploadPath"]}
        assert event(sdk, model_id, "checkpoint_saved", saved).status_code == 200
        results = {"metrics": {"metrics/mAP50(B)": 0.25, "fitness": 0.2}, "bestEpoch": 1, "bestFitness": 0.2}
        done = event(
            sdk,
            model_id,
            "training_complete",
            {"results": results, "classNames": ["car", "bus"], "runId": ans["runId"]},
        )
        assert done.status_code == 200
        model = data(sdk.get(f"/api/models/{model_id}"))
        assert model["status"] == "ready" and model["metrics"]["metrics/mAP50(B)"] == 0.25
        assert model["classNames"] == ["car", "bus"] and model["file"]["name"] == "best.pt"
        assert data(sdk.get(f"/api/models/{model_id}/training"))["status"] == "completed"

        files = sdk.get(f"/api/models/{PROJECT}/exp/files").json()
        url = files["files"][0]["downloadUrl"]
        assert url.split("?")[0].endswith(".pt") and httpx.get(url).content == checkpoint()
        ulmock.clock.advance(1)
        types = [d["type"] for d in ulmock.webhooks]
        assert types[:1] == ["training.started"] and types.count("training.epoch") == 2
        assert "training.completed" in types
    activity = [a["type"] for a in data(sdk.get("/api/activity", params={"limit": 50}))]
    assert {"project.created", "training.started", "training.completed", "model.uploaded"} - set(activity) == {
        "project.created"
    }  # traffic-analytics already existed


def test_a_new_project_is_created_and_names_get_their_own_slug(sdk):
    first = started(sdk, project=f"{USER}/Night Shift", name="train")
    again = started(sdk, project=f"{USER}/night-shift", name="train")
    assert first["modelUrl"].endswith(f"/{USER}/night-shift/train")
    assert again["modelUrl"].endswith(f"/{USER}/night-shift/train-2") and again["modelId"] != first["modelId"]
    projects = data(sdk.get("/api/projects", params={"limit": 100}))
    assert [p["slug"] for p in projects].count("night-shift") == 1


def test_cancelling_through_the_api_tells_the_sdk_to_stop(sdk):
    ans = started(sdk)
    assert data(sdk.delete(f"/api/models/{ans['modelId']}/training"))["status"] == "cancelled"
    assert epoch(sdk, ans["modelId"], 0).json()["cancelled"] is True
    resumed = sdk.post(METRICS, json={"modelId": ans["modelId"], "event": "training_started", "data": {}})
    assert resumed.json()["cancelled"] is True  # the SDK then starts a fresh model


def test_resuming_a_running_model_keeps_its_run(sdk):
    ans = started(sdk)
    again = sdk.post(METRICS, json={"modelId": ans["modelId"], "event": "training_started", "data": {"epochs": 2}})
    assert again.json()["runId"] == ans["runId"] and again.json()["cancelled"] is False


def test_training_metrics_errors(ulmock, sdk):
    error(httpx.post(f"{ulmock.url}{METRICS}", json={"event": "epoch_end", "data": {}}), 401, "UNAUTHORIZED")
    error(sdk.post(METRICS, json={"project": PROJECT, "event": "no_such_event", "data": {}}), 400, "VALIDATION_ERROR")
    error(sdk.post(METRICS, json={"project": PROJECT, "event": "epoch_end", "data": []}), 400, "VALIDATION_ERROR")
    error(sdk.post(METRICS, json={"event": "training_started", "data": {}}), 400, "VALIDATION_ERROR")
    error(event(sdk, "model_nope", "epoch_end", {"epoch": 0}), 404, "NOT_FOUND")
    error(
        sdk.post(METRICS, json={"project": PROJECT, "name": "ghost", "event": "epoch_end", "data": {}}),
        404,
        "NOT_FOUND",
    )
    stranger = ulmock.account("stranger", plan="pro")
    error(
        stranger.client.post(METRICS, json={"project": PROJECT, "event": "training_started", "data": {}}),
        403,
        "FORBIDDEN",
    )
    mine = started(sdk)
    error(event(stranger.client, mine["modelId"], "epoch_end", {"epoch": 0}), 404, "NOT_FOUND")
    key = data(sdk.post("/api/api-keys", json={"name": "ds", "scopes": ["datasets"]}), 201)["key"]
    narrow = ulmock.http_client(key)
    error(narrow.post(METRICS, json={"project": PROJECT, "event": "training_started", "data": {}}), 403, "FORBIDDEN")
    error(narrow.post(UPLOAD, json={"filename": "best.pt", "modelId": mine["modelId"]}), 403, "FORBIDDEN")
    error(narrow.get(f"/api/models/{PROJECT}/exp/files"), 403, "FORBIDDEN")


def test_upload_url_errors_and_signed_put_refusals(ulmock, sdk):
    ans = started(sdk)
    mid = ans["modelId"]
    error(httpx.post(f"{ulmock.url}{UPLOAD}", json={"filename": "best.pt", "modelId": mid}), 401, "UNAUTHORIZED")
    error(sdk.post(UPLOAD, json={"modelId": mid}), 400, "VALIDATION_ERROR")
    error(sdk.post(UPLOAD, json={"filename": "../best.pt", "modelId": mid}), 400, "VALIDATION_ERROR")
    error(sdk.post(UPLOAD, json={"filename": "best.txt", "modelId": mid}), 400, "VALIDATION_ERROR")
    error(sdk.post(UPLOAD, json={"filename": "best.pt", "modelId": mid, "runId": ans["runId"] + 7}), 404, "NOT_FOUND")
    error(sdk.post(UPLOAD, json={"filename": "best.pt", "modelId": "model_nope"}), 404, "NOT_FOUND")
    too_big = {"filename": "best.pt", "modelId": mid, "size": 10**12}
    error(sdk.post(UPLOAD, json=too_big), 400, "VALIDATION_ERROR")

    by_project = sdk.post(UPLOAD, json={"filename": "last.pt", "project": PROJECT, "name": "exp"}).json()
    assert by_project["modelId"] == mid  # the legacy identity: project and name

    url = sdk.post(UPLOAD, json={"filename": "best.pt", "modelId": mid, "runId": ans["runId"]}).json()["uploadUrl"]
    error(httpx.put(url.replace("signature=", "signature=0"), content=checkpoint()), 403, "FORBIDDEN")
    error(httpx.put(url.replace("best.pt", "evil.pt"), content=checkpoint()), 403, "FORBIDDEN")
    error(httpx.put(url, content=b"not a checkpoint"), 400, "VALIDATION_ERROR")
    ulmock.clock.advance(3601)
    error(httpx.put(url, content=checkpoint()), 403, "FORBIDDEN")
    assert data(sdk.get(f"/api/models/{mid}"))["file"] is None


def test_an_upload_counts_in_storage_and_replaces_the_previous_file(sdk):
    ans = started(sdk)
    before = data(sdk.get("/api/storage"))["used"]
    _, put = upload(sdk, ans["modelId"], ans["runId"], checkpoint(b"1" * 1000))
    assert put.status_code == 200
    _, put = upload(sdk, ans["modelId"], ans["runId"], checkpoint(b"2" * 3000), filename="last.pt")
    assert put.status_code == 200
    assert data(sdk.get("/api/storage"))["used"] == before + len(checkpoint(b"2" * 3000))
    assert data(sdk.get(f"/api/models/{ans['modelId']}"))["file"]["name"] == "last.pt"


def test_model_files_by_slug(ulmock, sdk):
    ans = started(sdk)
    assert sdk.get(f"/api/models/{PROJECT}/exp/files").json()["files"] == []  # no weights yet: the SDK says not found
    upload(sdk, ans["modelId"], ans["runId"], checkpoint())
    files = sdk.get(f"/api/models/{PROJECT}/exp/files").json()
    assert files["success"] is True and files["data"]["files"] == files["files"]
    assert files["files"][0]["name"] == "best.pt" and files["files"][0]["size"] == len(checkpoint())
    error(sdk.get(f"/api/models/{PROJECT}/nope/files"), 404, "NOT_FOUND")
    error(sdk.get(f"/api/models/{USER}/nope/exp/files"), 404, "NOT_FOUND")
    stranger = ulmock.account("stranger", plan="pro")
    error(stranger.client.get(f"/api/models/{PROJECT}/exp/files"), 404, "NOT_FOUND")
    error(httpx.get(f"{ulmock.url}/api/models/{PROJECT}/exp/files"), 401, "UNAUTHORIZED")


def test_dataset_export_by_slug_is_what_the_sdk_reads(ulmock, sdk):
    ans = sdk.get(f"/api/datasets/{USER}/street-scenes/export").json()
    url = ans["downloadUrl"]
    assert ans["data"]["downloadUrl"] == url and url.split("?")[0].endswith(".ndjson")
    lines = httpx.get(url).text.splitlines()
    import json

    images = [json.loads(line) for line in lines[1:]]
    assert images and all(httpx.get(i["url"]).status_code == 200 for i in images)
    assert any(i["split"] == "train" for i in images)
    error(sdk.get(f"/api/datasets/{USER}/nope/export"), 404, "NOT_FOUND")
    error(httpx.get(f"{ulmock.url}/api/datasets/{USER}/street-scenes/export"), 401, "UNAUTHORIZED")


def test_login_summary_answers_200_for_a_good_key_and_401_for_a_bad_one(ulmock, sdk):
    assert sdk.get("/api/account/summary").status_code == 200
    bad = httpx.get(f"{ulmock.url}/api/account/summary", headers={"Authorization": "Bearer ul_" + "0" * 40})
    error(bad, 401, "UNAUTHORIZED")
