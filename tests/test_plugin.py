"""The pytest plugin, tested as a user meets it: an inner test suite run by pytester."""

from __future__ import annotations

pytest_plugins = ["pytester"]


def test_each_test_gets_a_fresh_emulator(pytester):
    pytester.makepyfile(
        """
        import pytest

        def test_first_writes(ulmock):
            assert ulmock.client.post("/api/projects", json={"name": "leak?"}).status_code == 201

        def test_second_sees_a_clean_world(ulmock):
            names = [p["name"] for p in ulmock.client.get("/api/projects").json()["data"]]
            assert names == ["ci-project"]

        @pytest.mark.ulmock(scenario="demo", start="2030-05-01T00:00:00Z")
        def test_marker_picks_scenario_and_start(ulmock):
            assert ulmock.username == "lena"
            assert ulmock.clock.iso() == "2030-05-01T00:00:00.000Z"

        def test_in_process_client_and_extra_accounts(ulmock):
            assert ulmock.asgi.get("/api/projects").status_code == 200
            bob = ulmock.account("bob", plan="free")
            assert bob.client.get("/api/projects").json()["meta"]["total"] == 0
            assert ulmock.requests(account="bob")[0].path == "/api/projects"
        """
    )
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(passed=4)
