"""The published contract and the command line."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time

import httpx

from tests.helpers import auth, free_port, spawn_serve
from ulmock.api.reference import all_operations
from ulmock.scenarios import fixed_key


def test_openapi_describes_every_api_operation(ulmock):
    doc = httpx.get(f"{ulmock.url}/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    for op in all_operations():
        entry = doc["paths"][op.path][op.method.lower()]
        assert entry["operationId"] == op.operation_id
        assert {"401", "404", "429"} <= set(entry["responses"])
    create = doc["paths"]["/api/datasets"]["post"]
    schema_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert doc["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]["required"] == ["name", "task"]
    upload = doc["paths"]["/api/models"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload


def test_serve_prints_the_url_and_keys_and_answers_like_the_reference(tmp_path):
    port = free_port()
    state = tmp_path / "state.json"
    proc = spawn_serve(port, "--state", str(state))
    try:
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            lines.append(proc.stdout.readline())
            if "Try:" in lines[-1]:
                break
        banner = "".join(lines)
        assert f"http://127.0.0.1:{port}/api" in banner
        for user in ("lena", "acme-vision", "globex"):
            assert re.search(rf"{user}\s+\w+\s+{fixed_key(user)}", banner), banner
        for _ in range(50):
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/datasets", headers=auth("acme-vision"))
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        body = r.json()
        assert r.status_code == 200 and body["success"] is True and body["meta"]["total"] >= 2
        assert {"id", "name", "slug", "task", "imageCount", "classCount", "visibility", "createdAt"} <= set(
            body["data"][0]
        )
        httpx.post(
            f"http://127.0.0.1:{port}/api/projects", json={"name": "survives restarts"}, headers=auth("acme-vision")
        )
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    saved = json.loads(state.read_text())
    assert "survives restarts" in json.dumps(saved["world"]["tables"]["project"])


def test_scenarios_command_lists_the_worlds():
    out = subprocess.run([sys.executable, "-m", "ulmock.cli", "scenarios"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("demo") and "minimal" in out.stdout


def test_openapi_command_prints_the_spec():
    out = subprocess.run([sys.executable, "-m", "ulmock.cli", "openapi"], capture_output=True, text=True, check=True)
    assert "/api/datasets" in json.loads(out.stdout)["paths"]


def test_unknown_scenario_is_a_clear_error():
    out = subprocess.run(
        [sys.executable, "-m", "ulmock.cli", "serve", "--scenario", "nope"], capture_output=True, text=True
    )
    assert out.returncode == 2 and "unknown scenario 'nope'" in out.stderr
