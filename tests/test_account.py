"""Account-wide areas: API keys, storage, GDPR export and delete, the SDK's summary."""

from __future__ import annotations

import httpx

from tests.helpers import data, error


def test_keys_are_listed_without_secrets_and_shown_once_on_creation(ulmock):
    created = data(ulmock.client.post("/api/api-keys", json={"name": "trainer", "scopes": ["training", "models"]}), 201)
    assert created["key"].startswith("ul_") and len(created["key"]) == 43
    assert created["scopes"] == ["models", "training"]
    listed = data(ulmock.client.get("/api/api-keys"))
    assert created["key"] not in str(listed)
    assert {k["prefix"] for k in listed} >= {created["key"][:11]}
    assert ulmock.http_client(created["key"]).get("/api/models").status_code == 200


def test_revoking_a_key_takes_effect_at_once(ulmock):
    created = data(ulmock.client.post("/api/api-keys", json={"name": "temp"}), 201)
    client = ulmock.http_client(created["key"])
    assert client.get("/api/projects").status_code == 200
    assert data(ulmock.client.delete(f"/api/api-keys/{created['id']}")) == {"id": created["id"], "deleted": True}
    error(client.get("/api/projects"), 401, "UNAUTHORIZED")
    error(ulmock.client.delete(f"/api/api-keys/{created['id']}"), 404, "NOT_FOUND")
    types = [e["type"] for e in data(ulmock.client.get("/api/activity"))]
    assert types[:2] == ["api_key.revoked", "api_key.created"]


def test_key_validation(ulmock):
    error(ulmock.client.post("/api/api-keys", json={"name": "x", "scopes": ["admin"]}), 400, "VALIDATION_ERROR")
    error(ulmock.client.post("/api/api-keys", json={"name": "   "}), 400, "VALIDATION_ERROR")
    error(ulmock.client.post("/api/api-keys", json={"name": "x\r\nSet-Cookie: a=b"}), 400, "VALIDATION_ERROR")


def test_another_accounts_key_cannot_be_revoked(ulmock):
    other = ulmock.account("neighbour")
    theirs = data(other.client.get("/api/api-keys"))[0]["id"]
    error(ulmock.client.delete(f"/api/api-keys/{theirs}"), 404, "NOT_FOUND")
    assert other.client.get("/api/projects").status_code == 200


def test_storage_is_summed_from_what_is_stored(ulmock):
    s = data(ulmock.client.get("/api/storage"))
    assert s["used"] == s["breakdown"]["datasets"] > 100_000
    assert s["percentage"] == round(100 * s["used"] / s["limit"], 4)


def test_gdpr_export_downloads_the_accounts_data_without_secrets(ulmock):
    export = data(ulmock.client.post("/api/gdpr", json={"action": "export"}))
    doc = httpx.get(export["downloadUrl"]).json()
    assert doc["account"]["username"] == "ci-user"
    assert [p["name"] for p in doc["projects"]] == ["ci-project"]
    assert doc["datasets"][0]["images"]
    assert ulmock.api_key not in str(doc)


def test_gdpr_delete_is_irreversible(ulmock):
    victim = ulmock.account("bye", plan="pro")
    data(victim.client.post("/api/projects", json={"name": "p"}), 201)
    assert data(victim.client.post("/api/gdpr", json={"action": "delete"})) == {"action": "delete", "deleted": True}
    error(victim.client.get("/api/projects"), 401, "UNAUTHORIZED")
    accounts = httpx.get(f"{ulmock.url}/_ulmock/accounts").json()["data"]
    assert "bye" not in [a["username"] for a in accounts]
    error(ulmock.client.post("/api/gdpr", json={"action": "nuke"}), 400, "VALIDATION_ERROR")


def test_account_summary_is_what_yolo_login_checks(ulmock):
    summary = data(ulmock.client.get("/api/account/summary"))
    assert summary["username"] == "ci-user" and summary["plan"] == "pro"
    error(
        httpx.get(f"{ulmock.url}/api/account/summary", headers={"Authorization": "Bearer ul_" + "1" * 40}),
        401,
        "UNAUTHORIZED",
    )
