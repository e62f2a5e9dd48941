"""The auth matrix: every /api operation against every way a key can be wrong."""

from __future__ import annotations

import re

import pytest

from tests.helpers import data, error
from ulmock.resources import all_operations

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
