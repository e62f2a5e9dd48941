import pytest


def test_my_client_lists_datasets(ulmock):
    r = ulmock.client.get("/api/datasets")  # httpx client carrying ulmock.api_key
    assert r.json()["meta"]["total"] == 1


@pytest.mark.ulmock(scenario="demo", clock="manual", seed=7)
def test_rate_limit_resets_on_the_clock(ulmock):
    free = ulmock.account("tiny", plan="free")  # .api_key, .client
    for _ in range(60):
        free.client.get("/api/projects")
    assert free.client.get("/api/projects").status_code == 429
    ulmock.clock.advance(minutes=1)  # no sleeping
    assert free.client.get("/api/projects").status_code == 200
