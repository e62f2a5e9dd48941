"""The auth matrix: every /api operation against every way a key can be wrong."""

from __future__ import annotations

import re

import pytest

from tests.helpers import data, error
from ulmock.api.reference import all_operations

OPERATIONS = [op for op in all_operations()]


def _path(op) -> str:
    return re.sub(r"{(\w+)}", lambda m: f"{m.group(1).lower()}_unknown", op.path)


def _call(client, op, headers):
    return client.request(op.method, _path(op), headers=headers, json={} if op.method in ("POST", "PUT") else None)


@pytest.fixture
def keys(ulmock):
    revoked = data(ulmock.client.post("/api/api-keys", json={"name": "old"}), 201)
    data(ulmock.client.delete(f"/api/api-keys/{revoked['id']}"))
    return {
        "none": {},
        "wrong scheme": {"Authorization": f"Basic {ulmock.api_key}"},
        "malformed": {"Authorization": "Bearer ul_not-a-key"},
        "uppercase hex": {"Authorization": "Bearer ul_" + "A" * 40},
        "unknown": {"Authorization": "Bearer ul_" + "0" * 40},
        "revoked": {"Authorization": f"Bearer {revoked['key']}"},
    }


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: f"{op.method} {op.path}")
def test_every_operation_refuses_every_bad_key(ulmock, keys, op):
    for label, headers in keys.items():
        r = _call(ulmock.client.__class__(base_url=ulmock.url), op, headers)
        error(r, 401, "UNAUTHORIZED")
        assert "x-ratelimit-limit" not in r.headers, label
        token = headers.get("Authorization", " ").split(" ", 1)[1]
        assert not token or token not in r.text, f"{label}: the key is echoed back"


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.scope], ids=lambda op: f"{op.method} {op.path}")
def test_a_key_without_the_scope_is_forbidden(ulmock, op):
    other_scopes = [s for s in ("datasets", "projects", "models", "training", "account") if s != op.scope][:2]
    key = data(ulmock.client.post("/api/api-keys", json={"name": "narrow", "scopes": other_scopes}), 201)["key"]
    r = _call(ulmock.client.__class__(base_url=ulmock.url), op, {"Authorization": f"Bearer {key}"})
    err = error(r, 403, "FORBIDDEN")
    assert err["details"]["requiredScope"] == op.scope
    assert r.headers["x-ratelimit-limit"] == "300"


def test_a_scoped_key_works_inside_its_scopes(ulmock):
    key = data(ulmock.client.post("/api/api-keys", json={"name": "ds", "scopes": ["datasets"]}), 201)["key"]
    client = ulmock.http_client(key)
    assert client.get("/api/datasets").status_code == 200
    error(client.get("/api/projects"), 403, "FORBIDDEN")
    assert client.get("/api/account/summary").status_code == 200


def test_a_deleted_account_keys_answer_401(ulmock):
    other = ulmock.account("leaving", plan="free")
    data(other.client.post("/api/gdpr", json={"action": "delete"}))
    error(other.client.get("/api/datasets"), 401, "UNAUTHORIZED")


def test_another_accounts_ids_are_indistinguishable_from_unknown_ones(ulmock):
    other = ulmock.account("rival", plan="pro")
    mine = ulmock.client.get("/api/datasets").json()["data"][0]["id"]
    theirs_missing = error(other.client.get(f"/api/datasets/{mine}"), 404, "NOT_FOUND")
    unknown = error(other.client.get("/api/datasets/dataset_doesnotexist00"), 404, "NOT_FOUND")
    assert theirs_missing["message"] == unknown["message"]
    error(other.client.delete(f"/api/datasets/{mine}"), 404, "NOT_FOUND")
    error(other.client.post(f"/api/datasets/{mine}/export"), 404, "NOT_FOUND")
    assert ulmock.client.get(f"/api/datasets/{mine}").status_code == 200


def _real_ids(ulmock) -> dict[str, str]:
    """An id of each kind, owned by the fixture's account."""
    c = ulmock.client
    model = next(m for m in data(c.get("/api/models")) if m["name"] == "baseline")
    dataset = data(c.get("/api/datasets"))[0]
    deployment = data(
        c.post(
            "/api/deployments",
            json={"modelId": model["id"], "region": "us-east1", "minInstances": 0, "maxInstances": 1},
        ),
        201,
    )
    export = data(c.post("/api/exports", json={"modelId": model["id"], "format": "onnx"}), 201)
    data(
        c.post(
            "/api/training/start",
            json={"modelId": model["id"], "datasetId": dataset["id"], "epochs": 1, "imageSize": 64, "gpuType": "l4"},
        ),
        201,
    )
    return {
        "datasetId": dataset["id"],
        "projectId": data(c.get("/api/projects"))[0]["id"],
        "modelId": model["id"],
        "deploymentId": deployment["id"],
        "exportId": export["id"],
        "keyId": data(c.get("/api/api-keys"))[0]["id"],
        "owner": ulmock.username,
        "slug": dataset["slug"],
        "project": "ci-project",
        "model": "baseline",
    }


ID_OPERATIONS = [op for op in OPERATIONS if "{" in op.path]


def test_every_id_route_answers_404_to_another_account(ulmock):
    ids = _real_ids(ulmock)
    stranger = ulmock.account("stranger", plan="pro")
    image = {"file": ("x.png", b"\x89PNG\r\n\x1a\n", "image/png")}
    for op in ID_OPERATIONS:
        path = re.sub(r"{(\w+)}", lambda m: ids[m.group(1)], op.path)
        r = stranger.client.request(op.method, path, files=image if op.form else None)
        assert r.status_code == 404, f"{op.method} {path}: {r.text}"
        error(r, 404, "NOT_FOUND")
    # ...and nothing of the owner's changed.
    assert data(ulmock.client.get(f"/api/datasets/{ids['datasetId']}"))["id"] == ids["datasetId"]
    assert len(data(ulmock.client.get("/api/api-keys"))) == 1


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: f"{op.method} {op.path}")
def test_every_operation_counts_against_the_quota(ulmock, op):
    tight = ulmock.account("tight", plan="enterprise", rate_limits=(1, 1000))
    tight.client.get("/api/projects")
    r = _call(tight.client, op, {})
    err = error(r, 429, "RATE_LIMITED")
    assert err["details"]["window"] == "minute" and int(r.headers["retry-after"]) >= 1
    assert r.headers["x-ratelimit-remaining"] == "0"
