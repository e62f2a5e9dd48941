"""Every way to move time runs the same path: events at their own time, the webhooks
they queue sent (and retried) before the next event fires."""

from __future__ import annotations

from tests.helpers import data
from tests.receiver import Receiver
from tests.test_webhooks import start_training
from ulmock.domain.clock import iso, parse_iso
from ulmock.domain.training import QUEUE_SECONDS, STARTUP_SECONDS

SPAN = QUEUE_SECONDS + STARTUP_SECONDS + 240


def attempts_after(ulmock, move) -> list[tuple[str, float, int]]:
    with Receiver(script=[500, 500]) as rx:
        data(ulmock.client.post("/_ulmock/webhooks", json={"url": rx.url}), 201)
        start_training(ulmock)
        t0 = ulmock.clock.now()
        move(ulmock, t0)
        assert rx.received
    return [(d["type"], parse_iso(a["at"]) - t0, a["statusCode"]) for d in ulmock.webhooks for a in d["attempts"]]


def by_advance(ulmock, t0):
    ulmock.clock.advance(SPAN)


def by_set(ulmock, t0):
    ulmock.clock.set(iso(t0 + SPAN))


def by_control_api(ulmock, t0):
    data(ulmock.client.post("/_ulmock/clock", json={"now": iso(t0 + SPAN)}))


def test_set_and_the_control_api_deliver_as_advance_does(ulmock):
    expected = attempts_after(ulmock, by_advance)
    ulmock.emulator.reset()
    assert attempts_after(ulmock, by_set) == expected
    ulmock.emulator.reset()
    assert attempts_after(ulmock, by_control_api) == expected
    assert [code for _, _, code in expected[:3]] == [500, 500, 200]
