"""`ulmock.asgi` answers byte for byte as the live server does: status, headers, body.

Only what the HTTP server itself adds differs (uvicorn's `date` and `server`), and the
quota left, which the in-process call, made second, finds one lower.
"""

from __future__ import annotations

import pytest

from tests.helpers import auth

ADDED_BY_THE_SERVER = {b"date", b"server"}


def answer(response) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    headers = [(k, v) for k, v in response.headers.raw if k.lower() not in ADDED_BY_THE_SERVER]
    return response.status_code, headers, response.content


def one_call_later(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The live answer's headers as the next call sees them: one fewer call left."""
    return [(k, str(int(v) - 1).encode() if k == b"x-ratelimit-remaining" else v) for k, v in headers]


REQUESTS = [
    ("GET", "/api/datasets", {}),
    ("GET", "/api/datasets?limit=0", {}),  # 400, with the quota headers
    ("GET", "/api/datasets?page=2&limit=1", {}),
    ("GET", "/api/no-such-thing", {}),
    ("PUT", "/api/datasets", {}),  # 405 with Allow
    ("POST", "/api/projects", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
    ("GET", "/api/datasets", {"headers": {"Authorization": "Bearer ul_wrong"}}),  # 401
    ("HEAD", "/api/datasets", {}),
    ("GET", "/", {}),
    ("GET", "/openapi.json", {}),
    ("GET", "/_ulmock/clock", {}),
]


@pytest.mark.parametrize(("method", "path", "options"), REQUESTS, ids=[f"{m} {p}" for m, p, _ in REQUESTS])
def test_the_in_process_answer_is_the_live_one(ulmock, method, path, options):
    live = answer(ulmock.client.request(method, path, **options))
    local = answer(ulmock.asgi.request(method, path, **options))
    assert local == (live[0], one_call_later(live[1]), live[2])


def test_a_dataset_and_its_owner_read_the_same_either_way(ulmock):
    created = ulmock.asgi.post("/api/datasets", json={"name": "Same either way", "task": "detect"})
    assert created.status_code == 201
    path = f"/api/datasets/{created.json()['data']['id']}"
    live, local = answer(ulmock.client.get(path)), answer(ulmock.asgi.get(path))
    assert local == (live[0], one_call_later(live[1]), live[2])


@pytest.mark.ulmock(scenario="demo")
def test_a_team_with_images_and_work_under_way_reads_the_same_either_way(ulmock):
    acme = auth("acme-vision")
    bodies = {}
    for path in ("/api/datasets", "/api/projects", "/api/deployments"):
        live = answer(ulmock.client.get(path, headers=acme))
        local = answer(ulmock.asgi.get(path, headers=acme))
        assert live[0] == 200, path
        assert local == (live[0], one_call_later(live[1]), live[2]), path
        bodies[path] = local[2]
    assert b'"imageCount":6' in bodies["/api/datasets"]  # the split counts were worked out, not all zero


def test_the_client_joins_paths_to_its_base_url_as_httpx_does_even_after_it_changes(ulmock):
    import httpx2

    from ulmock.inprocess import in_process_client

    client, plain = in_process_client(ulmock.app, "http://one.test/a"), httpx2.Client(base_url="http://one.test/a")
    for path in ("/api/datasets", "/api/datasets", "api/x?y=1", "http://elsewhere.test/z"):
        assert client.build_request("GET", path).url == plain.build_request("GET", path).url
    client.base_url = plain.base_url = "http://two.test/b/"
    assert str(client.build_request("GET", "/api/datasets").url) == "http://two.test/b/api/datasets"
    assert client.build_request("GET", "/api/datasets").url == plain.build_request("GET", "/api/datasets").url
    client.close()
    plain.close()
