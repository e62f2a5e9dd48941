"""Signed URLs nobody can forge, scoped to what they were signed for; GDPR delete forgets.

The signing key is random for each emulator, so a URL is only good on the emulator
that issued it; a scenario may pin one for reproducible URLs (and then anyone who
reads the scenario can sign).
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from urllib.parse import urlsplit

import httpx
import pytest

from tests.helpers import data, error, free_port, guarded_client, spawn_serve, stop_server
from ulmock.domain.signing import UrlSigner
from ulmock.scenarios import build_emulator, parse_scenario_text

PINNED = """
description: pinned signing key
signingKey: a-key-everyone-can-read-0123456789
accounts:
  - username: pinned
    projects: [{name: p, models: [{name: m}]}]
"""


def _signed_paths(scenario: object) -> list[str]:
    emulator = build_emulator(scenario, mode="manual", start="2026-01-15T09:00:00Z")  # type: ignore[arg-type]
    with emulator.lock:
        w = emulator.platform.world
        return [
            w.signer.sign(f"/files/models/{m.id}/x.pt", w.now(), 60).path
            for t in w.models.by_account.values()
            for m in t.values()
        ]


def test_two_emulators_of_one_scenario_and_seed_sign_differently():
    assert _signed_paths("minimal") != _signed_paths("minimal")


def test_a_scenario_may_pin_the_key_for_reproducible_urls():
    world = parse_scenario_text(PINNED, "pinned")
    assert _signed_paths(world) == _signed_paths(world)


def test_the_old_seed_derived_key_forges_nothing(ulmock):
    model = data(ulmock.client.get("/api/models"))[0]
    path = f"/files/models/{model['id']}/weights.pt"
    forged = UrlSigner(f"ulmock-{ulmock.emulator.seed}").sign(path, ulmock.clock.now(), 10**9)
    error(httpx.get(ulmock.url + forged.path), 403, "FORBIDDEN")


def test_a_signed_route_serves_only_the_kind_of_object_it_names(ulmock):
    """A valid signature on the GDPR route does not make it serve a model's weights or an image."""
    with ulmock.emulator.lock:
        w = ulmock.emulator.platform.world
        other = next(iter(w.blobs.blobs))
        signed = w.signer.sign(f"/files/gdpr/{other}/x.json", w.now(), 60)
    error(httpx.get(ulmock.url + signed.path), 404, "NOT_FOUND")


def test_a_gdpr_export_url_is_refused_once_the_account_is_deleted(ulmock):
    victim = ulmock.account("leaving", plan="pro")
    data(victim.client.post("/api/projects", json={"name": "personal"}), 201)
    url = data(victim.client.post("/api/gdpr", json={"action": "export"}))["downloadUrl"]
    assert httpx.get(url).json()["account"]["username"] == "leaving"
    data(victim.client.post("/api/gdpr", json={"action": "delete"}))
    error(httpx.get(url), 404, "NOT_FOUND")


def test_gdpr_delete_leaves_nothing_of_the_account_in_the_snapshot(ulmock):
    victim = ulmock.account("forget-me", plan="pro")
    data(victim.client.post("/api/projects", json={"name": "secret-project"}), 201)
    with ulmock.emulator.lock:
        account = ulmock.emulator.platform.accounts.by_username("forget-me")
        assert account is not None
        account_id, email = account.id, account.email
    data(victim.client.post("/api/gdpr", json={"action": "export"}))
    data(victim.client.post("/api/gdpr", json={"action": "delete"}))
    dumped = json.dumps(ulmock.emulator.snapshot())
    for trace in ("forget-me", email, account_id, "secret-project", victim.api_key):
        assert trace not in dumped, trace


def test_expired_gdpr_exports_are_freed(ulmock):
    def blobs() -> int:
        with ulmock.emulator.lock:
            return len(ulmock.emulator.platform.world.blobs.blobs)

    before = blobs()
    urls = [data(ulmock.client.post("/api/gdpr", json={"action": "export"}))["downloadUrl"] for _ in range(20)]
    assert blobs() == before + 20
    ulmock.clock.advance(days=2)
    assert blobs() == before
    error(httpx.get(urls[0]), 403, "FORBIDDEN")


@pytest.mark.parametrize(
    "query",
    [
        "expires=%C2%B2&signature=ab",
        "expires=" + "9" * 5000 + "&signature=ab",
        "expires=99999999999&signature=%C3%A9",
        "expires=-1&signature=ab",
    ],
)
def test_odd_expiry_and_signature_values_are_refused(ulmock, query):
    model = data(ulmock.client.get("/api/models"))[0]
    error(httpx.get(f"{ulmock.url}/files/models/{model['id']}/x.pt?{query}"), 403, "FORBIDDEN")


def test_signed_urls_work_when_the_key_is_right(ulmock):
    url = data(ulmock.client.post("/api/gdpr", json={"action": "export"}))["downloadUrl"]
    assert urlsplit(url).path.startswith("/files/gdpr/")
    assert httpx.get(url).status_code == 200


# -- the control API beyond loopback -----------------------------------------------------


def _serve(*args: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    proc = spawn_serve(port, "--scenario", "minimal", "--manual-clock", *args)
    assert proc.stdout is not None
    banner = ""
    while "Try:" not in banner:
        line = proc.stdout.readline()
        assert line, banner
        banner += line
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/_ulmock/health")
            break
        except httpx.ConnectError:
            time.sleep(0.05)
    return proc, banner


def test_beyond_loopback_an_admin_token_is_made_printed_and_required():
    proc, banner = _serve("--host", "0.0.0.0")
    try:
        token = re.search(r"Admin token\s*:\s*(\S+)", banner)
        assert token, banner
        base = re.search(r"Control API\s*:\s*http://[^:]+:(\d+)", banner)
        assert base
        url = f"http://127.0.0.1:{base.group(1)}/_ulmock/accounts"
        error(httpx.get(url), 401, "UNAUTHORIZED")
        error(httpx.get(url, headers={"Authorization": token.group(1)}), 401, "UNAUTHORIZED")
        error(httpx.get(url, headers={"Authorization": f"Basic {token.group(1)}"}), 401, "UNAUTHORIZED")
        assert data(httpx.get(url, headers={"Authorization": f"Bearer {token.group(1)}"}))
    finally:
        stop_server(proc, signal.SIGTERM)


def test_no_admin_token_serves_an_open_control_api_knowingly():
    proc, banner = _serve("--host", "0.0.0.0", "--no-admin-token")
    try:
        assert re.search(r"Admin token\s*:\s*none \(--no-admin-token\)", banner), banner
        port = re.search(r"Control API\s*:\s*http://[^:]+:(\d+)", banner).group(1)  # type: ignore[union-attr]
        assert data(httpx.get(f"http://127.0.0.1:{port}/_ulmock/accounts"))
    finally:
        stop_server(proc, signal.SIGTERM)


def test_a_bare_admin_token_without_bearer_is_refused():
    client = guarded_client("s3cret")
    for header in ("s3cret", "Bearers3cret", "Bearer s3cret x", "Token s3cret", "Bearer  s3cretx"):
        error(client.get("/_ulmock/snapshot", headers={"Authorization": header}), 401, "UNAUTHORIZED")
    assert client.get("/_ulmock/snapshot", headers={"Authorization": "Bearer s3cret"}).status_code == 200
