"""Signing (Standard Webhooks) and delivery of webhooks, off the request path.

Deliveries are queued by the domain under the emulator's lock, each with the body that
`webhook_payloads` rendered when its event happened; one background thread signs and
sends them with httpx, in order per endpoint, and records each attempt. A failure is
retried when a retry event falls due on the emulator's clock. `flush` waits until
nothing due is left unsent: the emulator's `advance` uses it so that every webhook due
in the advanced span has been sent, in order, before it returns.

The sender knows only an `Outbox` (what is due, where it goes, what an attempt gave)
and the lock it is read under; the emulator attaches the outbox of each world it builds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

import httpx

from ulmock.domain.entities import WebhookDelivery, WebhookEndpoint
from ulmock.worldlock import WorldLock

T = TypeVar("T")

SEND_TIMEOUT = 5.0
USER_AGENT = "ulmock-webhooks/1"


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, key = base64-decoded secret."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def signed_headers(secret: str, message_id: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    # Wall time: receivers check it against their own clock (5 minutes of tolerance).
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": sign(secret, message_id, ts, body),
    }


class Outbox(Protocol):
    """The deliveries of one world (`domain.webhooks.Webhooks`), read under the world's lock."""

    def deliveries(self) -> list[WebhookDelivery]: ...

    def due(self) -> list[WebhookDelivery]: ...

    def endpoint(self, delivery: WebhookDelivery) -> WebhookEndpoint | None: ...

    def record_attempt(
        self, delivery: WebhookDelivery, wall_time: float, status_code: int | None, error: str | None, duration_ms: int
    ) -> None: ...


class WebhookDispatcher:
    """The delivery worker of one emulator (`emulator.webhooks`)."""

    def __init__(self, lock: WorldLock, outbox: Outbox | None = None):
        self._lock = lock
        self._outbox = outbox
        self._bell = threading.Event()
        self._idle = threading.Condition()
        self._busy = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def attach(self, outbox: Outbox) -> None:
        """Send from this outbox from now on (a new world); attempts still under way
        for the one before are not recorded. Call it under the lock (or before the
        sender starts), where the world is swapped."""
        self._outbox = outbox

    # -- what tests and the control API read ------------------------------------
    def deliveries(self, view: Callable[[WebhookDelivery], T]) -> list[T]:
        """Every delivery, oldest first, each seen through `view` while the sender cannot
        change it (an attempt is recorded under the same lock)."""
        with self._lock:
            return [view(d) for d in self._outbox.deliveries()] if self._outbox else []

    # -- running -----------------------------------------------------------------
    def wake(self) -> None:
        self._ensure_started()
        self._bell.set()

    def _ensure_started(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="ulmock-webhooks", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._bell.set()
        if self._thread is not None:
            self._thread.join(timeout=SEND_TIMEOUT + 1)
        self._thread = None

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every delivery due now has been attempted; False on timeout."""
        if self._lock.held():
            return False  # the worker needs the lock we hold: waiting would deadlock
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = self._outbox is not None and bool(self._outbox.due())
            with self._idle:
                if not pending and not self._busy:
                    return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.wake()
            with self._idle:
                self._idle.wait(min(left, 0.05))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._bell.wait(0.5)
            self._bell.clear()
            while not self._stop.is_set():
                with self._idle:
                    self._busy = True
                try:
                    sent = self._send_due()
                finally:
                    with self._idle:
                        self._busy = False
                        self._idle.notify_all()
                if not sent:
                    break

    def _send_due(self) -> int:
        with self._lock:
            outbox = self._outbox
            if outbox is None:
                return 0
            batch: list[tuple[WebhookDelivery, str]] = []
            for d in outbox.due():
                endpoint = outbox.endpoint(d)
                if endpoint is not None:
                    batch.append((d, endpoint.secret))
        for delivery, secret in batch:
            started = time.monotonic()
            wall = time.time()
            code: int | None = None
            error: str | None = None
            try:
                headers = signed_headers(secret, delivery.message_id, delivery.body, int(wall))
                r = httpx.post(delivery.url, content=delivery.body.encode(), headers=headers, timeout=SEND_TIMEOUT)
                code = r.status_code
                if not 200 <= code < 300:
                    error = f"HTTP {code}"
            except httpx.TimeoutException:
                error = f"timed out after {SEND_TIMEOUT:g}s"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            duration = int((time.monotonic() - started) * 1000)
            with self._lock:
                if self._outbox is outbox:
                    outbox.record_attempt(delivery, wall, code, error, duration)
        return len(batch)
