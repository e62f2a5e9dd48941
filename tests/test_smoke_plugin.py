def test_fixture_serves_live_url(ulmock):
    r = ulmock.client.get("/api/datasets")
    assert r.status_code == 200
    assert r.headers["x-ratelimit-limit"] == "300"
