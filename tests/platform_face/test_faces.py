"""Choosing the face: per emulator (CLI, scenario, marker, control API), the same world under both."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import httpx
import pytest
from starlette.testclient import TestClient
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused, typed
from ulmock.api.app import create_app
from ulmock.cli import parser
from ulmock.scenarios import build_emulator, fixed_key, parse_scenario_text
from ulmock.testing import Ulmock

LENA = fixed_key("lena")  # the demo's key for lena


def test_the_reference_face_stays_the_default(ulmock: Ulmock) -> None:
    assert ulmock.emulator.api == "reference"
    assert "success" in ulmock.client.get("/api/projects").json()


@pytest.mark.ulmock(scenario="demo", api="platform")
def test_the_marker_picks_the_platform_face_over_the_same_world(ulmock: Ulmock, client: Platform) -> None:
    assert ulmock.emulator.api == "platform"
    assert client.projects.list("lena")["projects"][0]["project"] == "backyard-birds"
    # /_ulmock and /files are common: the control API still answers in its own shape
    assert ulmock.client.get("/_ulmock/health").json()["data"]["status"] == "ok"
    assert ulmock.client.get("/api/activity").status_code == 404  # the seed's browser-only routes are not served here


def test_a_scenario_may_ask_for_the_platform_face() -> None:
    world = parse_scenario_text(
        textwrap.dedent("""
        description: live contract
        api: platform
        accounts: [{username: kai}]
    """)
    )
    emulator = build_emulator(world, mode="manual")
    assert emulator.api == "platform"
    assert build_emulator(world, mode="manual", api="reference").api == "reference"  # an argument wins


def test_post_scenario_switches_the_face_of_a_running_server(ulmock: Ulmock) -> None:
    r = ulmock.client.post("/_ulmock/scenario", json={"name": "demo", "api": "platform"})
    assert r.status_code == 200 and r.json()["data"]["api"] == "platform"
    with Platform(api_key=LENA, base_url=ulmock.url, max_retries=0) as lena:
        typed("AccountSummaryResponse", lena.account.summary())
    body = {"name": "demo", "yaml": "description: x\napi: reference\naccounts: [{username: kai}]\n"}
    assert ulmock.client.post("/_ulmock/scenario", json=body).json()["data"]["api"] == "reference"
    assert ulmock.client.post("/_ulmock/scenario", json={"name": "demo", "api": "bogus"}).status_code == 400


def test_every_bundled_scenario_loads_in_the_platform_face() -> None:
    from ulmock.scenarios import bundled_scenarios

    for name in bundled_scenarios():
        emulator = build_emulator(name, mode="manual", api="platform")
        with TestClient(create_app(emulator)) as c:
            account = next(iter(emulator.platform.world.accounts.values()))
            key = next(iter(emulator.platform.world.api_keys(account.id).values())).secret
            r = c.get(f"/api/projects/{account.username}", headers={"Authorization": f"Bearer {key}"})
            assert r.status_code == 200 and "projects" in r.json(), name


def test_cli_takes_api_and_the_banner_says_which_face() -> None:
    assert parser().parse_args(["serve", "--api", "platform"]).api == "platform"
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--api", "other"])
    out = subprocess.run(
        [sys.executable, "-m", "ulmock.cli", "openapi", "--api", "platform"], capture_output=True, text=True, check=True
    ).stdout
    assert '"/api/projects/{owner}/{project}"' in out


def test_an_unknown_face_is_refused() -> None:
    with pytest.raises(ValueError, match="reference or platform"):
        build_emulator("minimal", api="graphql")


@pytest.mark.ulmock(api="platform")
def test_the_face_publishes_its_own_openapi(ulmock: Ulmock) -> None:
    doc = httpx.get(f"{ulmock.url}/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    create = doc["paths"]["/api/projects"]["post"]
    assert "201" in create["responses"] and "409" in create["responses"]
    error = doc["components"]["schemas"]["ErrorResponse"]
    assert error["required"] == ["error"]
    schema = create["responses"]["201"]["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    assert set(doc["components"]["schemas"][name]["required"]) == {"id", "owner", "project", "region"}


@pytest.mark.ulmock(api="platform")
def test_errors_are_only_the_message(ulmock: Ulmock) -> None:
    for response in (
        httpx.get(f"{ulmock.url}/api/account/summary"),
        ulmock.client.get("/api/no/such/route"),
        ulmock.client.put("/api/account/summary"),
        ulmock.client.post("/api/projects", content=b"{not json", headers={"content-type": "application/json"}),
    ):
        assert set(response.json()) == {"error"}, response.text
    assert ulmock.client.put("/api/account/summary").status_code == 405


@pytest.mark.ulmock(api="platform")
def test_a_strangers_key_cannot_reach_my_workspace(ulmock: Ulmock, client: Platform, stranger: Platform) -> None:
    client.projects.create(project="mine", name="Mine")
    refused(lambda: stranger.projects.update(ulmock.username, "mine", name="Theirs"), 404)
    refused(lambda: stranger.projects.create(project="x", name="x", owner=ulmock.username), 403)


def test_the_readme_quotes_the_live_contract_example_verbatim() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    example = (root / "tests" / "examples" / "test_live_contract.py").read_text()
    assert example in (root / "README.md").read_text()
