"""Both HTTP servers (`--server uvicorn|granian`) serve the same app the same way.

One emulator behind both gives byte-identical answers; on each server, the parts that
live outside a request run as they should: the realtime clock and webhook sender,
inference beside other requests, signed downloads and uploads, streamed request bodies.
The whole HTTP suite also runs under granian with `pytest --ulmock-server granian`.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest
from standardwebhooks import Webhook

from tests.helpers import SAMPLES, auth, data, error, free_port, spawn_serve, stop_server, wait_until
from tests.receiver import Receiver
from tests.test_projects_models import torch_checkpoint, upload
from ulmock.api.app import create_app
from ulmock.scenarios import build_emulator
from ulmock.server import SERVERS, ServerThread, ServerUnavailable, check_server

PHOTO = SAMPLES / "images" / "person.jpg"
# Headers each server writes for itself.
OWN_HEADERS = {"date", "server"}


def on_each_server(**marker: object) -> pytest.MarkDecorator:
    """Run the test once per server, with these `ulmock` marker options."""
    return pytest.mark.parametrize(
        "server", [pytest.param(s, marks=pytest.mark.ulmock(server=s, **marker)) for s in SERVERS]
    )


def test_one_emulator_behind_both_servers_answers_byte_for_byte_alike():
    emulator = build_emulator("demo", mode="manual", start="2026-01-15T09:00:00Z")
    key = auth("acme-vision")
    requests = [
        ("GET", "/api/datasets", key, None),
        ("GET", "/api/datasets?page=1&limit=2", key, None),
        ("GET", "/api/datasets?limit=0", key, None),  # 400
        ("GET", "/api/datasets", {}, None),  # 401
        ("GET", "/api/no-such-thing", key, None),  # 404
        ("PATCH", "/api/datasets", key, None),  # 405
        ("HEAD", "/api/projects", key, None),  # 405, and no body
        ("POST", "/api/projects", {**key, "content-type": "application/json"}, b'{"name": "Same on both"}'),
        ("POST", "/api/projects", {**key, "content-type": "application/json"}, b'{"name": '),  # malformed
        ("GET", "/_ulmock/health", {}, None),
        ("GET", "/openapi.json", {}, None),
    ]
    answers: dict[str, list[tuple[int, list[tuple[str, str]], bytes]]] = {}
    for name in SERVERS:
        emulator.reset()  # the same world, and the same clock, in front of each
        with ServerThread(create_app(emulator), server=name) as server, httpx.Client(base_url=server.url) as c:
            answers[name] = [
                (r.status_code, sorted((k, v) for k, v in r.headers.items() if k not in OWN_HEADERS), r.content)
                for r in (c.request(m, path, headers=h, content=body) for m, path, h, body in requests)
            ]
    emulator.stop()
    uvicorn, granian = answers["uvicorn"], answers["granian"]
    for (method, path, _, _), a, b in zip(requests, uvicorn, granian, strict=True):
        assert a == b, (method, path)
    assert [status for status, _, _ in uvicorn] == [200, 200, 400, 401, 404, 405, 405, 201, 400, 200, 200]


@on_each_server(clock="realtime", speed=200)
def test_realtime_training_and_webhooks_run_in_the_serving_process(ulmock, server):
    model = data(ulmock.client.get("/api/models"))[0]
    dataset = next(d for d in data(ulmock.client.get("/api/datasets")) if d["imageCount"])
    with Receiver() as rx:
        hook = data(
            ulmock.client.post("/_ulmock/webhooks", json={"url": rx.url, "events": ["training.completed"]}), 201
        )
        body = {
            "modelId": model["id"],
            "datasetId": dataset["id"],
            "epochs": 2,
            "imageSize": 640,
            "gpuType": "h100-sxm",
        }
        data(ulmock.client.post("/api/training/start", json=body), 201)
        wait_until(lambda: rx.received, 20)
        assert [json.loads(r["body"])["type"] for r in rx.received] == ["training.completed"]
        Webhook(hook["secret"]).verify(rx.received[0]["body"], rx.received[0]["headers"])
    assert data(ulmock.client.get(f"/api/models/{model['id']}/training"))["status"] == "completed"


@on_each_server()
def test_predict_runs_while_other_requests_are_answered(ulmock, server):
    import threading

    model = next(m for m in data(ulmock.client.get("/api/models")) if m["name"] == "baseline")
    image = PHOTO.read_bytes()
    statuses: list[int] = []

    def predict() -> None:
        with ulmock.http_client(ulmock.api_key) as c:
            r = c.post(f"/api/models/{model['id']}/predict", files={"file": ("person.jpg", image, "image/jpeg")})
            statuses.append(r.status_code)
            assert any(p["class"] == "person" for p in r.json()["predictions"])

    threads = [threading.Thread(target=predict) for _ in range(2)]
    for t in threads:
        t.start()
    listed = [ulmock.client.get("/api/projects").status_code for _ in range(10)]
    for t in threads:
        t.join()
    assert listed == [200] * 10 and statuses == [200, 200]


@on_each_server()
def test_signed_downloads_stream_real_bytes(ulmock, server):
    dataset = next(d for d in data(ulmock.client.get("/api/datasets")) if d["imageCount"])
    export = data(ulmock.client.post(f"/api/datasets/{dataset['id']}/export"))
    lines = httpx.get(export["downloadUrl"]).text.splitlines()
    first_image = json.loads(lines[1])
    r = httpx.get(first_image["url"])
    assert r.status_code == 200 and r.content[:2] == b"\xff\xd8"
    assert int(r.headers["content-length"]) == len(r.content)


@on_each_server()
def test_streamed_request_bodies_are_read_whole_and_limited(ulmock, server):
    def chunks(payload: bytes, size: int = 7):  # no Content-Length: the body arrives chunked
        for i in range(0, len(payload), size):
            yield payload[i : i + size]

    headers = {"content-type": "application/json"}
    created = data(ulmock.client.post("/api/projects", content=chunks(b'{"name": "Chunked"}'), headers=headers), 201)
    assert created["name"] == "Chunked"
    huge = json.dumps({"name": "x" * (1024 * 1024 + 10)}).encode()
    error(ulmock.client.post("/api/projects", content=chunks(huge, 65536), headers=headers), 413, "VALIDATION_ERROR")
    names = [p["name"] for p in data(ulmock.client.get("/api/projects"))]
    assert "Chunked" in names and len(names) == 2


@on_each_server()
def test_multipart_uploads_arrive_whole_and_download_identical(ulmock, server):
    project = data(ulmock.client.get("/api/projects"))[0]
    blob = torch_checkpoint(b"w" * 300_000)  # more than one read of the socket
    model = data(upload(ulmock.client, project["id"], content=blob), 201)
    url = data(ulmock.client.get(f"/api/models/{model['id']}/files"))["files"][0]["downloadUrl"]
    assert httpx.get(url).content == blob


def test_an_unknown_or_missing_server_is_a_clear_error(monkeypatch):
    with pytest.raises(ServerUnavailable, match="choose one of uvicorn, granian"):
        check_server("gunicorn")
    monkeypatch.setitem(__import__("sys").modules, "granian", None)  # as if the extra were not installed
    with pytest.raises(ServerUnavailable, match=r"ulmock\[fast\]"):
        check_server("granian")


def test_serve_under_granian_ticks_the_clock_and_saves_state_on_sigint(tmp_path):
    port = free_port()
    state, base = tmp_path / "state.json", f"http://127.0.0.1:{port}"
    proc = spawn_serve(port, "--server", "granian", "--speed", "3600", "--state", str(state))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                first = data(httpx.get(f"{base}/_ulmock/clock"))
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        data(httpx.post(f"{base}/api/projects", json={"name": "Kept by granian"}, headers=auth("acme-vision")), 201)
        time.sleep(0.5)
        assert data(httpx.get(f"{base}/_ulmock/clock"))["epoch"] - first["epoch"] >= 900  # the ticker runs
    finally:
        out = stop_server(proc)
    assert proc.returncode == 0, out
    assert "Listening at" in out and "saved state" in out, out
    assert "Kept by granian" in state.read_text()


def test_the_in_process_client_answers_like_the_live_server(ulmock):
    """`ulmock.asgi` runs the app in the test's own thread: same answers, no socket."""
    live, local = ulmock.client, ulmock.asgi
    for path in ("/api/datasets", "/api/datasets?limit=0", "/api/no-such-thing", "/openapi.json"):
        a, b = live.get(path), local.get(path)
        assert (a.status_code, a.content) == (b.status_code, b.content), path
    project = data(local.post("/api/projects", json={"name": "In process"}), 201)
    blob = torch_checkpoint(b"i" * 100_000)
    model = data(upload(local, project["id"], content=blob), 201)
    url = data(local.get(f"/api/models/{model['id']}/files"))["files"][0]["downloadUrl"]
    assert local.get(url).content == blob == httpx.get(url).content
    assert [e.path for e in ulmock.requests(method="POST")] == ["/api/projects", "/api/models"]
