"""Refusals made before a request reaches a face (the body limit, the last-resort 500)
still answer in the shape of the face that serves the path."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from ulmock.api.app import create_app
from ulmock.scenarios import build_emulator


def call(api: str, path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, Any]:
    """One request straight into the ASGI app, with headers an HTTP client would not send."""
    app = create_app(build_emulator("minimal", api=api))
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "scheme": "http",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], json.loads(body)


HUGE = str(600 * 1024 * 1024).encode()


@pytest.mark.parametrize("length, status", [(HUGE, 413), (b"12abc", 400)])
def test_the_body_limit_answers_in_the_live_shape_under_api(length: bytes, status: int) -> None:
    code, body = call("platform", "/api/projects", [(b"content-length", length)])
    assert code == status
    assert list(body) == ["error"] and body["error"]


def test_the_body_limit_keeps_the_envelope_in_the_reference_face_and_off_the_live_paths() -> None:
    code, body = call("reference", "/api/projects", [(b"content-length", HUGE)])
    assert code == 413 and body["success"] is False
    # /_ulmock is common to both faces: its errors stay the envelope in either.
    code, body = call("platform", "/_ulmock/accounts", [(b"content-length", HUGE)])
    assert code == 413 and body["success"] is False
