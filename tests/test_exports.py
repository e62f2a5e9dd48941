"""Exports: format-specific durations and artifacts, signed downloads, webhook, storage."""

from __future__ import annotations

import io
import zipfile

import pytest
from standardwebhooks import Webhook

from tests.helpers import data, error, tiny_onnx
from tests.receiver import Receiver
from ulmock.domain.catalogue import EXPORT_FORMATS
from ulmock.domain.exports import ARTIFACTS, QUEUE_SECONDS
from ulmock.domain.scripts import ExportFailure


def baseline(ulmock):
    return data(ulmock.client.get("/api/models"))[0]


def test_onnx_export_lifecycle_returns_the_models_own_bytes(ulmock):
    project = data(ulmock.client.get("/api/projects"))[0]
    blob = tiny_onnx()
    model = data(
        ulmock.client.post(
            "/api/models", data={"projectId": project["id"], "name": "tiny"}, files={"file": ("tiny.onnx", blob)}
        ),
        201,
    )
    storage_before = data(ulmock.client.get("/api/storage"))["used"]
    with Receiver() as rx:
        hook = data(ulmock.client.post("/_ulmock/webhooks", json={"url": rx.url}), 201)
        e = data(ulmock.client.post("/api/exports", json={"modelId": model["id"], "format": "onnx"}), 201)
        assert e["status"] == "queued" and e["downloadUrl"] is None and e["fileName"] == "model.onnx"
        ulmock.clock.advance(QUEUE_SECONDS)
        assert data(ulmock.client.get(f"/api/exports/{e['id']}"))["status"] == "running"
        ulmock.clock.advance(ARTIFACTS["onnx"][1] - 1)
        assert data(ulmock.client.get(f"/api/exports/{e['id']}"))["status"] == "running"
        ulmock.clock.advance(1)
        done = data(ulmock.client.get(f"/api/exports/{e['id']}"))
        assert done["status"] == "completed" and done["size"] == len(blob)
        r = ulmock.client.get(done["downloadUrl"])
        assert r.status_code == 200 and r.content == blob
        assert rx.types() == ["export.completed"]
        Webhook(hook["secret"]).verify(rx.received[0]["body"], rx.received[0]["headers"])
        assert rx.accepted()[0]["data"]["exportId"] == e["id"]
    assert data(ulmock.client.get("/api/storage"))["used"] == storage_before + len(blob)
    assert data(ulmock.client.get("/api/storage"))["breakdown"]["exports"] == len(blob)
    types = [a["type"] for a in data(ulmock.client.get("/api/activity"))]
    assert "export.completed" in types and "export.queued" in types
    # Tampered URLs are refused.
    error(ulmock.client.get(done["downloadUrl"].replace("signature=", "signature=0")), 403, "FORBIDDEN")


def test_every_format_completes_with_its_artifact_name_and_durations_differ(ulmock):
    model = baseline(ulmock)
    made = {
        f: data(ulmock.client.post("/api/exports", json={"modelId": model["id"], "format": f}), 201)["id"]
        for f in EXPORT_FORMATS
    }
    ulmock.clock.advance(QUEUE_SECONDS + 20)
    quick = {e["format"] for e in data(ulmock.client.get("/api/exports?limit=100")) if e["status"] == "completed"}
    assert "onnx" in quick and "tensorrt" not in quick
    ulmock.clock.advance(600)
    listed = data(ulmock.client.get("/api/exports?limit=100"))
    assert len(listed) == len(EXPORT_FORMATS) and all(e["status"] == "completed" for e in listed)
    for e in listed:
        assert e["fileName"] == ARTIFACTS[e["format"]][0]
        content = ulmock.client.get(e["downloadUrl"]).content
        assert len(content) == e["size"]
        if e["fileName"].endswith(".zip"):
            assert zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert made["onnx"] in {e["id"] for e in data(ulmock.client.get(f"/api/exports?modelId={model['id']}&limit=100"))}


@pytest.mark.parametrize("fmt", ["pt", "ONNX", "", 3])
def test_unknown_format_is_400(ulmock, fmt):
    error(
        ulmock.client.post("/api/exports", json={"modelId": baseline(ulmock)["id"], "format": fmt}),
        400,
        "VALIDATION_ERROR",
    )


def test_failures_strangers_and_scopes(ulmock):
    model = baseline(ulmock)
    ulmock.platform.world.scripts.exports.append(
        ExportFailure(format="tflite", error="Converter crashed: unsupported op")
    )
    e = data(ulmock.client.post("/api/exports", json={"modelId": model["id"], "format": "tflite"}), 201)
    ulmock.clock.advance(300)
    failed = data(ulmock.client.get(f"/api/exports/{e['id']}"))
    assert failed["status"] == "failed" and "unsupported op" in failed["error"] and failed["downloadUrl"] is None
    other = ulmock.account("stranger")
    error(other.client.get(f"/api/exports/{e['id']}"), 404, "NOT_FOUND")
    error(other.client.post("/api/exports", json={"modelId": model["id"], "format": "onnx"}), 404, "NOT_FOUND")
    assert data(other.client.get("/api/exports")) == []
    key = data(ulmock.client.post("/api/api-keys", json={"name": "k", "scopes": ["training"]}), 201)["key"]
    error(ulmock.http_client(key).get("/api/exports"), 403, "FORBIDDEN")
