"""Projects and models: upload, filters, signed file downloads, cascading delete."""

from __future__ import annotations

import io
import zipfile

import httpx

from tests.helpers import data, error


def torch_checkpoint(payload: bytes = b"weights") -> bytes:
    """The shape of a torch.save() file: a zip archive holding a data.pkl."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("best/data.pkl", b"\x80\x02}q\x00.")
        z.writestr("best/data/0", payload)
    return buf.getvalue()


def upload(client, project_id, name="yolo-upload", content=None, filename="best.pt", **fields):
    files = {"file": (filename, content if content is not None else torch_checkpoint(), "application/octet-stream")}
    return client.post("/api/models", data={"projectId": project_id, "name": name, **fields}, files=files)


def project(ulmock, name="Vision"):
    return data(ulmock.client.post("/api/projects", json={"name": name}), 201)


def test_projects_count_their_models(ulmock):
    p = project(ulmock)
    assert p["modelCount"] == 0 and p["slug"] == "vision"
    data(upload(ulmock.client, p["id"]), 201)
    assert data(ulmock.client.get(f"/api/projects/{p['id']}"))["modelCount"] == 1


def test_upload_stores_the_file_and_it_downloads_identical(ulmock):
    p = project(ulmock)
    blob = torch_checkpoint(b"x" * 5000)
    model = data(upload(ulmock.client, p["id"], content=blob, task="segment"), 201)
    assert model["file"] == {"name": "best.pt", "size": len(blob), "format": "pt"}
    assert model["task"] == "segment" and model["status"] == "ready" and model["projectId"] == p["id"]
    files = data(ulmock.client.get(f"/api/models/{model['id']}/files"))
    url = files["files"][0]["downloadUrl"]
    assert url.split("?")[0].endswith(".pt")
    assert httpx.get(url).content == blob
    storage = data(ulmock.client.get("/api/storage"))
    assert storage["breakdown"]["models"] == len(blob)


def test_model_file_urls_expire(ulmock):
    p = project(ulmock)
    model = data(upload(ulmock.client, p["id"]), 201)
    url = data(ulmock.client.get(f"/api/models/{model['id']}/files"))["files"][0]["downloadUrl"]
    ulmock.clock.advance(3601)
    error(httpx.get(url), 403, "FORBIDDEN")


def test_upload_validation(ulmock):
    p = project(ulmock)
    error(upload(ulmock.client, p["id"], content=b"not a checkpoint"), 400, "VALIDATION_ERROR")
    error(upload(ulmock.client, p["id"], filename="weights.txt"), 400, "VALIDATION_ERROR")
    error(upload(ulmock.client, p["id"], content=b""), 400, "VALIDATION_ERROR")
    error(upload(ulmock.client, "project_missing"), 404, "NOT_FOUND")
    error(
        ulmock.client.post("/api/models", data={"name": "x"}, files={"file": ("a.pt", torch_checkpoint())}),
        400,
        "VALIDATION_ERROR",
    )
    error(ulmock.client.post("/api/models", json={"projectId": p["id"], "name": "x"}), 400, "VALIDATION_ERROR")
    assert data(ulmock.client.get(f"/api/models?projectId={p['id']}")) == []


def test_onnx_upload_reads_class_names_and_task_from_metadata(ulmock):
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["images"], ["output0"])],
        "g",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 3, 32, 32])],
    )
    m = helper.make_model(graph)
    onnx.helper.set_model_props(m, {"names": "{0: 'cat', 1: 'dog'}", "task": "detect"})
    p = project(ulmock)
    model = data(upload(ulmock.client, p["id"], content=m.SerializeToString(), filename="pets.onnx"), 201)
    assert model["classNames"] == ["cat", "dog"] and model["file"]["format"] == "onnx"


def test_list_filters_by_project_and_task(ulmock):
    a, b = project(ulmock, "A"), project(ulmock, "B")
    m1 = data(upload(ulmock.client, a["id"], "m1"), 201)
    data(upload(ulmock.client, b["id"], "m2", task="pose"), 201)
    assert [m["id"] for m in data(ulmock.client.get(f"/api/models?projectId={a['id']}"))] == [m1["id"]]
    assert [m["name"] for m in data(ulmock.client.get("/api/models?task=pose"))] == ["m2"]
    assert ulmock.client.get("/api/models").json()["meta"]["total"] == 3  # with the world's baseline


def test_deleting_a_project_trashes_its_models_and_restore_brings_them_back(ulmock):
    p = project(ulmock)
    m = data(upload(ulmock.client, p["id"]), 201)
    data(ulmock.client.delete(f"/api/projects/{p['id']}"))
    error(ulmock.client.get(f"/api/models/{m['id']}"), 404, "NOT_FOUND")
    trash = data(ulmock.client.get("/api/trash"))
    assert trash[0]["id"] == p["id"] and trash[0]["childCount"] == 1
    data(ulmock.client.post("/api/trash", json={"itemId": p["id"], "type": "project"}))
    assert data(ulmock.client.get(f"/api/models/{m['id']}"))["projectId"] == p["id"]


def test_a_model_cannot_be_restored_into_a_trashed_project(ulmock):
    p = project(ulmock)
    m = data(upload(ulmock.client, p["id"]), 201)
    data(ulmock.client.delete(f"/api/models/{m['id']}"))
    data(ulmock.client.delete(f"/api/projects/{p['id']}"))
    err = error(ulmock.client.post("/api/trash", json={"itemId": m["id"], "type": "model"}), 400, "VALIDATION_ERROR")
    assert "project" in err["message"]
