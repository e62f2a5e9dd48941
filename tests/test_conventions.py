"""Conventions every /api route shares: envelopes, unknown routes, bad bodies, pagination."""

from __future__ import annotations

import pytest

from tests.helpers import data, error


def test_list_answers_the_success_envelope_with_meta(ulmock):
    body = ulmock.client.get("/api/datasets").json()
    assert body["success"] is True
    assert body["meta"] == {"page": 1, "limit": 20, "total": 1}
    assert body["data"][0]["task"] == "detect"


def test_single_resources_have_no_meta(ulmock):
    body = ulmock.client.get("/api/billing/balance").json()
    assert set(body) == {"success", "data"}


def test_unknown_route_under_api_is_a_404_envelope(ulmock):
    error(ulmock.client.get("/api/does-not-exist"), 404, "NOT_FOUND")
    error(ulmock.client.get("/api/datasets/x/y/z/w"), 404, "NOT_FOUND")


def test_wrong_method_is_a_405_envelope_with_allow(ulmock):
    r = ulmock.client.patch("/api/datasets")
    err = error(r, 405, "VALIDATION_ERROR")
    assert r.headers["allow"] == "GET, POST"
    assert err["details"]["allowed"] == "GET, POST"


def test_malformed_json_is_a_validation_error_and_creates_nothing(ulmock):
    r = ulmock.client.post("/api/datasets", content=b'{"name": ', headers={"content-type": "application/json"})
    error(r, 400, "VALIDATION_ERROR")
    assert ulmock.client.get("/api/datasets").json()["meta"]["total"] == 1


def test_wrong_content_type_is_refused(ulmock):
    r = ulmock.client.post(
        "/api/datasets", content=b"name=x&task=detect", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    err = error(r, 400, "VALIDATION_ERROR")
    assert "application/json" in err["message"]


def test_non_utf8_body_is_refused(ulmock):
    r = ulmock.client.post(
        "/api/datasets", content=b'{"name": "\xff\xfe"}', headers={"content-type": "application/json"}
    )
    error(r, 400, "VALIDATION_ERROR")


def test_oversized_body_is_refused_before_it_is_read(ulmock):
    big = b'{"name": "' + b"a" * (2 * 1024 * 1024) + b'", "task": "detect"}'
    r = ulmock.client.post("/api/datasets", content=big, headers={"content-type": "application/json"})
    error(r, 413, "VALIDATION_ERROR")
    assert ulmock.client.get("/api/datasets").json()["meta"]["total"] == 1


def test_missing_and_mistyped_fields_are_named_in_details(ulmock):
    err = error(ulmock.client.post("/api/datasets", json={"task": "detect"}), 400, "VALIDATION_ERROR")
    assert "name" in err["details"]
    err = error(ulmock.client.post("/api/datasets", json={"name": 5, "task": "detect"}), 400, "VALIDATION_ERROR")
    assert "name" in err["details"]
    err = error(ulmock.client.post("/api/datasets", json={"name": "x", "task": "juggle"}), 400, "VALIDATION_ERROR")
    assert "task" in err["details"]
    err = error(ulmock.client.post("/api/datasets", json=[1, 2]), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "limit=0", "limit=101", "limit=2.5"])
def test_out_of_range_pagination_is_a_400(ulmock, query):
    err = error(ulmock.client.get(f"/api/projects?{query}"), 400, "VALIDATION_ERROR")
    assert query.split("=")[0] in err["details"]


def test_pages_walk_newest_first_and_past_the_end_is_empty(ulmock):
    for i in range(5):
        data(ulmock.client.post("/api/projects", json={"name": f"p{i}"}), 201)
    first = ulmock.client.get("/api/projects?page=1&limit=2").json()
    assert [p["name"] for p in first["data"]] == ["p4", "p3"]
    assert first["meta"] == {"page": 1, "limit": 2, "total": 6}
    third = ulmock.client.get("/api/projects?page=3&limit=2").json()
    assert [p["name"] for p in third["data"]] == ["p0", "ci-project"]
    beyond = ulmock.client.get("/api/projects?page=9&limit=2").json()
    assert beyond["data"] == [] and beyond["meta"]["total"] == 6


def test_times_are_iso_utc_with_z_and_ids_carry_their_kind(ulmock):
    d = data(ulmock.client.post("/api/datasets", json={"name": "Cars", "task": "detect"}), 201)
    assert d["id"].startswith("dataset_")
    assert d["createdAt"].endswith("Z") and d["createdAt"].startswith("2026-01-15T09:00:00")


def test_every_api_answer_is_json_even_for_the_bare_prefix(ulmock):
    for path in ("/api", "/api/", "/api/%00", "/api/datasets/%ff"):
        r = ulmock.client.get(path)
        assert r.headers["content-type"].startswith("application/json"), path
        assert r.json()["success"] is False


def test_an_empty_body_is_no_body_but_whitespace_is_malformed_json(ulmock):
    assert ulmock.client.post("/api/activity/archive").status_code == 200
    r = ulmock.client.post("/api/activity/archive", content=b"\n", headers={"content-type": "application/json"})
    error(r, 400, "VALIDATION_ERROR")
