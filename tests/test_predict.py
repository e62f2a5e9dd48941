"""Predict over HTTP: real detections from a real network, in the reference's shape."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tests.helpers import SAMPLES, data, error
from tests.inference.onnx_models import channels_first, constant_detector

PHOTOS = SAMPLES / "images"


def baseline(ulmock) -> str:
    return next(m["id"] for m in data(ulmock.client.get("/api/models")) if m["name"] == "baseline")


def predict(client, url, image: bytes, name="photo.jpg", **fields):
    return client.post(url, files={"file": (name, image, "image/jpeg")}, data={k: str(v) for k, v in fields.items()})


def uploaded(ulmock, name: str, model_file) -> dict:
    """The model made by uploading `model_file` to the account's first project."""
    project = data(ulmock.client.get("/api/projects"))[0]["id"]
    files = {"file": (model_file.name, model_file.read_bytes())}
    return data(ulmock.client.post("/api/models", data={"projectId": project, "name": name}, files=files), 201)


def best(predictions) -> dict[str, float]:
    out: dict[str, float] = {}
    for p in predictions:
        out.setdefault(p["class"], p["confidence"])
    return out


def test_person_jpg_gives_the_person_the_dog_and_the_horse(ulmock):
    r = predict(
        ulmock.client,
        f"/api/models/{baseline(ulmock)}/predict",
        (PHOTOS / "person.jpg").read_bytes(),
        conf=0.25,
        iou=0.45,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"success", "predictions"} and body["success"] is True
    assert r.headers["x-ulmock-network"] == "bundled/yolov3-tiny"
    found = best(body["predictions"])
    assert found["person"] >= 0.87 and found["dog"] >= 0.73 and "horse" in found
    confidences = [p["confidence"] for p in body["predictions"]]
    assert confidences == sorted(confidences, reverse=True)
    for p in body["predictions"]:
        box = p["box"]
        assert 0 <= box["x1"] < box["x2"] <= 640 and 0 <= box["y1"] < box["y2"] <= 424
    person = next(p for p in body["predictions"] if p["class"] == "person")
    assert person["box"]["x2"] - person["box"]["x1"] < person["box"]["y2"] - person["box"]["y1"]  # standing


def test_dog_jpg_gives_dog_bicycle_and_car(ulmock):
    r = predict(ulmock.client, f"/api/models/{baseline(ulmock)}/predict", (PHOTOS / "dog.jpg").read_bytes())
    assert {"dog", "bicycle", "car"} <= set(best(r.json()["predictions"]))


def test_a_higher_confidence_threshold_keeps_fewer_boxes(ulmock):
    url, image = f"/api/models/{baseline(ulmock)}/predict", (PHOTOS / "person.jpg").read_bytes()
    low = predict(ulmock.client, url, image, conf=0.1).json()["predictions"]
    high = predict(ulmock.client, url, image, conf=0.9).json()["predictions"]
    assert len(high) < len(low) and all(p["confidence"] >= 0.9 for p in high)


@pytest.mark.parametrize("fields,field", [({"conf": 1.5}, "conf"), ({"iou": -0.1}, "iou"), ({"conf": "high"}, "conf")])
def test_conf_and_iou_must_be_in_0_1(ulmock, fields, field):
    r = predict(ulmock.client, f"/api/models/{baseline(ulmock)}/predict", (PHOTOS / "eagle.jpg").read_bytes(), **fields)
    assert field in error(r, 400, "VALIDATION_ERROR")["details"]


def test_bad_images_are_400s(ulmock):
    url = f"/api/models/{baseline(ulmock)}/predict"
    jpeg = (PHOTOS / "eagle.jpg").read_bytes()
    error(predict(ulmock.client, url, b"this is not an image"), 400, "VALIDATION_ERROR")
    error(predict(ulmock.client, url, jpeg[: len(jpeg) // 3]), 400, "VALIDATION_ERROR")
    error(ulmock.client.post(url, data={"conf": "0.5"}), 400, "VALIDATION_ERROR")
    error(ulmock.client.post(url, json={"file": "x"}), 400, "VALIDATION_ERROR")
    huge = io.BytesIO()
    Image.new("L", (9000, 9000)).save(huge, "PNG")
    error(predict(ulmock.client, url, huge.getvalue(), name="huge.png"), 400, "VALIDATION_ERROR")


def test_png_grayscale_and_rgba_are_accepted(ulmock):
    url = f"/api/models/{baseline(ulmock)}/predict"
    photo = Image.open(PHOTOS / "person.jpg")
    for mode in ("L", "RGBA"):
        buf = io.BytesIO()
        photo.convert(mode).save(buf, "PNG")
        r = predict(ulmock.client, url, buf.getvalue(), name=f"person-{mode}.png")
        assert r.status_code == 200 and "person" in best(r.json()["predictions"]), mode


def test_an_uploaded_ultralytics_onnx_answers_as_itself(ulmock, tmp_path):
    answer = channels_first([[32, 32, 20, 10, 0.9, 0.1], [16, 16, 8, 8, 0.2, 0.6]])
    model_file = constant_detector(tmp_path / "widgets.onnx", answer, names={0: "widget", 1: "gadget"})
    model = uploaded(ulmock, "widgets", model_file)
    image = io.BytesIO()
    Image.new("RGB", (64, 64), (90, 90, 90)).save(image, "PNG")
    r = predict(ulmock.client, f"/api/models/{model['id']}/predict", image.getvalue(), name="blank.png")
    assert r.headers["x-ulmock-network"] == "onnx/widgets.onnx"
    assert [(p["class"], p["confidence"]) for p in r.json()["predictions"]] == [("widget", 0.9), ("gadget", 0.6)]
    assert r.json()["predictions"][0]["box"] == {"x1": 22.0, "y1": 27.0, "x2": 42.0, "y2": 37.0}


def test_a_classifier_onnx_cannot_run_as_a_detector_and_says_so(ulmock, tmp_path):
    classifier = constant_detector(tmp_path / "cls.onnx", np.zeros((1, 1000), np.float32), metadata={"task": "detect"})
    model = uploaded(ulmock, "odd", classifier)
    buf = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buf, "PNG")
    r = predict(ulmock.client, f"/api/models/{model['id']}/predict", buf.getvalue(), name="x.png")
    err = error(r, 400, "VALIDATION_ERROR")
    assert "cannot run" in err["message"] and "not a detection output" in err["message"]


def test_someone_elses_model_is_a_404(ulmock):
    other = ulmock.account("outsider", plan="pro")
    r = predict(other.client, f"/api/models/{baseline(ulmock)}/predict", (PHOTOS / "eagle.jpg").read_bytes())
    error(r, 404, "NOT_FOUND")


def test_a_missing_bundled_model_is_a_clear_503(ulmock, tmp_path, monkeypatch):
    monkeypatch.setenv("ULMOCK_CACHE_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("ULMOCK_OFFLINE", "1")  # else the fixture would fetch it (tests/test_model_preparation.py)
    r = predict(ulmock.client, f"/api/models/{baseline(ulmock)}/predict", (PHOTOS / "eagle.jpg").read_bytes())
    err = error(r, 503, "INTERNAL_ERROR")
    assert "ulmock fetch-model" in err["message"]


def test_a_running_deployment_serves_predictions_and_counts_them(ulmock):
    model = baseline(ulmock)
    dep = data(
        ulmock.client.post(
            "/api/deployments", json={"modelId": model, "region": "europe-west1", "minInstances": 0, "maxInstances": 2}
        ),
        201,
    )
    assert dep["url"] is None
    ulmock.clock.advance(minutes=30)
    dep = data(ulmock.client.get(f"/api/deployments/{dep['id']}"))
    assert dep["status"] == "running" and dep["url"].endswith(f"/deployments/{dep['id']}/predict")
    for photo in ("person.jpg", "dog.jpg"):
        r = predict(ulmock.client, dep["url"], (PHOTOS / photo).read_bytes())
        assert r.status_code == 200 and r.json()["predictions"]
    error(predict(ulmock.client, dep["url"], b"garbage"), 400, "VALIDATION_ERROR")
    metrics = data(ulmock.client.get(f"/api/deployments/{dep['id']}/metrics"))
    assert metrics["requests"] == 3 and metrics["errors"] == 1
    assert metrics["latencyMs"]["p50"] > 0
    logs = [entry["message"] for entry in data(ulmock.client.get(f"/api/deployments/{dep['id']}/logs?limit=50"))]
    assert sum("Prediction served" in m for m in logs) == 2
    data(ulmock.client.post(f"/api/deployments/{dep['id']}/stop"))
    ulmock.clock.advance(minutes=10)
    err = error(predict(ulmock.client, dep["url"], (PHOTOS / "eagle.jpg").read_bytes()), 400, "VALIDATION_ERROR")
    assert "not running" in err["message"]


def test_requests_keep_flowing_while_inference_runs(ulmock):
    import threading

    url = f"/api/models/{baseline(ulmock)}/predict"
    image = (PHOTOS / "person.jpg").read_bytes()
    clients = [ulmock.http_client(ulmock.api_key) for _ in range(4)]
    results: list[int] = []
    threads = [threading.Thread(target=lambda c=c: results.append(predict(c, url, image).status_code)) for c in clients]
    for t in threads:
        t.start()
    listed = [ulmock.client.get("/api/projects").status_code for _ in range(10)]
    for t in threads:
        t.join()
    assert listed == [200] * 10 and results == [200] * 4
    assert np.all(np.array(results) == 200)


def test_an_onnx_export_of_a_model_without_weights_is_the_network_that_answers_it(ulmock):
    import httpx
    import onnx

    export = data(ulmock.client.post("/api/exports", json={"modelId": baseline(ulmock), "format": "onnx"}), 201)
    ulmock.clock.advance(minutes=5)
    done = data(ulmock.client.get(f"/api/exports/{export['id']}"))
    assert done["status"] == "completed"
    proto = onnx.load_model_from_string(httpx.get(done["downloadUrl"]).content)
    meta = {p.key: p.value for p in proto.metadata_props}
    assert meta["task"] == "detect" and "'person'" in meta["names"]
