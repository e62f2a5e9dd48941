"""The pytest plugin (registered under `pytest11`): the `ulmock` fixture and marker.

    def test_upload(ulmock):
        r = ulmock.client.get("/api/datasets")
        assert r.json()["meta"]["total"] == 1

    @pytest.mark.ulmock(scenario="demo", clock="manual", seed=7)
    def test_on_the_demo_world(ulmock): ...

One live server per test session (per xdist worker, on a free port; uvicorn, or the one
`--ulmock-server`, $ULMOCK_SERVER or the marker's `server=` names); each test gets a
fresh emulator behind it, so tests share nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from ulmock.domain.catalogue import usd_to_micro
from ulmock.domain.clock import iso, parse_iso
from ulmock.server import SERVERS, ServerThread  # uvicorn and granian load when one starts

# pytest loads this module in every run of every project that has ulmock installed:
# the web framework, pydantic and the inference runtime load when a test first asks
# for the fixture, not here (tests/test_plugin_import.py holds the line).
if TYPE_CHECKING:
    import httpx
    from starlette.types import ASGIApp, Receive, Scope, Send

    from ulmock.api.control.webhooks import DeliveryView
    from ulmock.api.journal import JournalEntry
    from ulmock.emulator import Emulator
    from ulmock.inference.preparation import ModelPreparation

DEFAULT_START = "2026-01-15T09:00:00Z"


class SwitchableApp:
    """An ASGI app whose target changes per test while the socket stays up."""

    def __init__(self) -> None:
        self.target: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.target is not None, "no ulmock emulator is active"
        await self.target(scope, receive, send)


class ClockControl:
    def __init__(self, emulator: Emulator):
        self._emulator = emulator

    def now(self) -> float:
        return self._emulator.clock.now()

    def iso(self) -> str:
        return iso(self.now())

    def advance(self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0) -> float:
        """Move forward, running every transition and delivery due on the way."""
        return self._emulator.advance(seconds + 60 * minutes + 3600 * hours + 86400 * days)

    def set(self, when: str | float) -> float:
        """Jump to an absolute time (forwards only), as `advance` does on the way."""
        return self._emulator.advance_to(parse_iso(when) if isinstance(when, str) else when)


class RequestJournal:
    def __init__(self, emulator: Emulator):
        self._emulator = emulator

    def __call__(self, **filters: Any) -> list[JournalEntry]:
        return self._emulator.journal.query(**filters)

    def __len__(self) -> int:
        return len(self._emulator.journal)

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self._emulator.journal.query())

    def clear(self) -> None:
        self._emulator.journal.clear()


@dataclass
class AccountHandle:
    id: str
    username: str
    plan: str
    api_key: str
    client: httpx.Client


class Ulmock:
    """What the `ulmock` fixture gives a test."""

    def __init__(self, emulator: Emulator, url: str):
        from ulmock.api.app import create_app

        self.emulator = emulator
        self.app = create_app(emulator)
        self.url = url
        self.clock = ClockControl(emulator)
        self.requests = RequestJournal(emulator)
        self._clients: list[Any] = []
        with emulator.lock:
            first = emulator.platform.accounts.default()
        if first is not None:
            self.username = first.username
            self.api_key = next(iter(emulator.platform.world.api_keys(first.id).values())).secret
        else:
            self.username = "ulmock-user"
            self.api_key = self.account(self.username, plan="pro").api_key
        self.client = self.http_client(self.api_key)
        self._asgi: Any = None

    @property
    def platform(self) -> Any:
        return self.emulator.platform

    @property
    def webhooks(self) -> list[DeliveryView]:
        """Every webhook delivery with its attempts, payloads and status codes, as
        `GET /_ulmock/webhooks/deliveries` lists them."""
        from ulmock.api.control.webhooks import delivery_view  # the web stack, only when asked

        return self.emulator.webhooks.deliveries(delivery_view)

    def http_client(self, api_key: str | None = None) -> httpx.Client:
        import httpx

        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        # Generous: the first predict of a session may fetch the bundled model (seconds, once).
        client = httpx.Client(base_url=self.url, headers=headers, timeout=120)
        self._clients.append(client)
        return client

    @property
    def asgi(self) -> Any:
        """An in-process client (no socket) carrying the default key: fastest for plain API tests."""
        if self._asgi is None:
            from ulmock.inprocess import in_process_client

            self._asgi = in_process_client(self.app, self.url, {"Authorization": f"Bearer {self.api_key}"})
            self._clients.append(self._asgi)
        return self._asgi

    def account(
        self,
        username: str,
        *,
        plan: str = "free",
        balance: float = 0.0,
        credit: float | None = None,
        rate_limits: tuple[int, int] | None = None,
        api_key: str | None = None,
    ) -> AccountHandle:
        """Add an account; returns its key and a client carrying it."""
        from ulmock.domain.entities import RateLimits

        limits = RateLimits(per_minute=rate_limits[0], per_day=rate_limits[1]) if rate_limits else None
        kwargs: dict[str, Any] = {"cash_balance": usd_to_micro(balance), "rate_limits": limits, "api_key": api_key}
        if credit is not None:
            kwargs["credit_balance"] = usd_to_micro(credit)
        with self.emulator.lock:
            acc, key = self.emulator.platform.accounts.create(username, plan, **kwargs)
        return AccountHandle(acc.id, acc.username, acc.plan, key.secret, self.http_client(key.secret))

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.emulator.stop()


def _emulator_from_marker(marker: pytest.Mark | None) -> Emulator:
    from ulmock.scenarios import build_emulator, load_scenario

    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    options.pop("server", None)  # picks the live server, not the world (see `ulmock`)
    world = load_scenario(options.pop("scenario", "minimal"))
    # Tests run on a manual clock unless they ask otherwise, from a fixed start.
    clock = options.pop("clock", "manual")
    fallback = DEFAULT_START if clock == "manual" else None
    start = options.pop("start", world.scenario.clock.start or fallback)
    return build_emulator(world, mode=clock, start=start, **options)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--ulmock-server",
        default=None,
        choices=SERVERS,
        help="the HTTP server behind the ulmock fixture's url (default: $ULMOCK_SERVER or uvicorn)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "ulmock(scenario='minimal', seed=0, clock='manual'|'realtime', speed=1.0, start=ISO, "
        "api='reference'|'platform', server='uvicorn'|'granian'): "
        "configure the ulmock fixture's emulator for this test",
    )


class LiveServers:
    """The session's live servers, one per kind, each started on first use."""

    def __init__(self, default: str):
        self.default = default
        self._running: dict[str, tuple[SwitchableApp, ServerThread]] = {}

    def get(self, name: str | None = None) -> tuple[SwitchableApp, ServerThread]:
        name = name or self.default
        if name not in self._running:
            switch = SwitchableApp()
            self._running[name] = (switch, ServerThread(switch, server=name).start())
        return self._running[name]

    def stop(self) -> None:
        for _, server in self._running.values():
            server.stop()


@pytest.fixture(scope="session")
def ulmock_server(pytestconfig: pytest.Config) -> Iterator[LiveServers]:
    """The live servers of this session (or xdist worker), on free ports: the one the
    option or $ULMOCK_SERVER names (uvicorn by default), others as markers ask."""
    servers = LiveServers(pytestconfig.getoption("--ulmock-server") or os.environ.get("ULMOCK_SERVER") or "uvicorn")
    try:
        yield servers
    finally:
        servers.stop()


@pytest.fixture(scope="session")
def ulmock_model_preparation() -> ModelPreparation:
    """The bundled model, fetched by the first predict of the session that needs it
    (never with `ULMOCK_OFFLINE=1`: predict then answers 503 naming `ulmock fetch-model`)."""
    from ulmock.inference.preparation import ModelPreparation

    return ModelPreparation("first-predict")


@pytest.fixture
def ulmock(request: pytest.FixtureRequest, ulmock_server: LiveServers) -> Iterator[Ulmock]:
    """A fresh emulator for this test, live at `ulmock.url`."""
    marker = request.node.get_closest_marker("ulmock")
    switch, server = ulmock_server.get(marker.kwargs.get("server") if marker else None)
    emulator = _emulator_from_marker(marker)
    handle = Ulmock(emulator, server.url)
    emulator.model_preparation = request.getfixturevalue("ulmock_model_preparation")
    switch.target = handle.app
    emulator.start()
    try:
        yield handle
    finally:
        handle.close()
        switch.target = None
