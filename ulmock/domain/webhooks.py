"""Webhook endpoints and the deliveries owed to them (the sending lives in `ulmock.webhook_delivery`).

An event (`webhook_events`: a fact, frozen when it happens) becomes one delivery per
endpoint that wants it, queued in order. What it says on the wire (payload and body) is
made by the format these Webhooks were given (`ulmock.webhook_payloads`), so no key or
body is spelled here. Each endpoint's queue is strictly ordered: its head must be
delivered (or given up on) before the next one goes. A failed attempt puts the head to
sleep until a retry falls due on the emulator's clock; nothing is dropped without a
recorded attempt.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from ulmock.domain.entities import (
    Account,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from ulmock.domain.errors import ValidationError, not_found
from ulmock.domain.webhook_events import EVENT_TYPES, MessageFormat, WebhookEvent
from ulmock.domain.world import World

# Seconds to wait after the 1st, 2nd, ... failed attempt; after the last one the delivery fails.
BACKOFF = (5.0, 30.0, 120.0, 600.0, 3600.0, 6 * 3600.0, 12 * 3600.0)
RETRY_EVENT = "webhook.retry"


def check_target(url: str) -> None:
    """Where deliveries may go: `http(s)://host[:port][/path][?query]`, any host (local
    receivers included). No `user:password@` (a secret belongs in the signing secret, not
    in a URL every listing shows), no fragment, no spaces or control characters."""
    reason = None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        reason, parts, port = "is not a valid URL", None, None
    if parts is not None:
        if parts.scheme not in ("http", "https") or not url.lower().startswith(("http://", "https://")):
            reason = "must be an http(s) URL"
        elif not parts.hostname:
            reason = "needs a host"
        elif parts.username is not None or parts.password is not None or "@" in parts.netloc:
            reason = "must not carry credentials (user:password@); use the webhook secret"
        elif parts.fragment or "#" in url:
            reason = "must not have a #fragment"
        elif any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
            reason = "must not contain spaces or control characters"
        elif port == 0:
            reason = "needs a port from 1 to 65535"
    if reason is not None:
        raise ValidationError(f"url {reason}", {"url": url})


class Webhooks:
    def __init__(self, world: World, message: MessageFormat | None = None):
        self.world = world
        # The wire format (the emulator's: `ulmock.webhook_payloads.message`). The domain
        # alone may go without one as long as no endpoint is registered to hear an event.
        self.message = message
        # The sender's doorbell: called whenever a delivery may have become due.
        self.listener: Callable[[], None] | None = None
        world.clock.on(RETRY_EVENT, self._retry_due)

    # -- endpoints -------------------------------------------------------------
    def register(
        self, account: Account, url: str, events: list[str] | None = None, secret: str | None = None
    ) -> WebhookEndpoint:
        check_target(url)
        unknown = [e for e in events or [] if e not in EVENT_TYPES]
        if unknown:
            raise ValidationError(
                f"Unknown webhook event(s): {', '.join(unknown)}", {"events": f"any of {', '.join(EVENT_TYPES)}"}
            )
        if secret is None:
            secret = "whsec_" + base64.b64encode(self.world.ids.webhook_secret().encode()[:24]).decode()
        elif not secret.startswith("whsec_"):
            raise ValidationError("secret must look like whsec_<base64>", {"secret": "whsec_<base64>"})
        else:
            try:
                base64.b64decode(secret.removeprefix("whsec_"), validate=True)
            except ValueError:
                raise ValidationError("secret must look like whsec_<base64>", {"secret": "whsec_<base64>"}) from None
        w = self.world
        return w.create(w.webhooks, account.id, url=url, events=list(events) if events else None, secret=secret)

    def endpoints(self) -> list[WebhookEndpoint]:
        return [e for t in self.world.webhooks.by_account.values() for e in t.values()]

    def remove(self, endpoint_id: str) -> WebhookEndpoint:
        for account_id, table in self.world.webhooks.by_account.items():
            endpoint = table.remove(endpoint_id)
            if endpoint is not None:
                # Owed deliveries are given up on, visibly.
                for d in self.world.deliveries(account_id).values():
                    if d.endpoint_id == endpoint_id and d.status in ("pending", "retrying"):
                        d.status = "failed"
                self.world.clock.cancel(
                    lambda due: due.kind == RETRY_EVENT and due.payload.get("endpointId") == endpoint_id
                )
                return endpoint
        raise not_found("webhook", endpoint_id)

    # -- events ----------------------------------------------------------------
    def emit(self, account: Account | str, event: WebhookEvent) -> list[WebhookDelivery]:
        """Queue an event for every endpoint of the account that subscribes to it."""
        w = self.world
        account_id = account if isinstance(account, str) else account.id
        endpoints = [e for e in w.webhooks(account_id).values() if e.events is None or event.type in e.events]
        if not endpoints:
            return []
        if self.message is None:
            raise RuntimeError(
                "webhook endpoints are registered but no wire format was given (Platform(webhook_message=...))"
            )
        now = w.now()
        message_id = w.ids.new("msg", 24)
        payload, body = self.message(message_id, now, event)
        out = []
        for endpoint in endpoints:
            delivery = w.create(
                w.deliveries,
                account_id,
                endpoint_id=endpoint.id,
                url=endpoint.url,
                message_id=message_id,
                type=event.type,
                payload=payload,
                body=body,
                next_attempt_at=now,
                created_at=now,
            )
            out.append(delivery)
        self._ring()
        return out

    def deliveries(self) -> list[WebhookDelivery]:
        rows = [d for t in self.world.deliveries.by_account.values() for d in t.values()]
        return sorted(rows, key=lambda d: d.created_at)

    def endpoint(self, delivery: WebhookDelivery) -> WebhookEndpoint | None:
        return self.world.webhooks(delivery.account_id).get(delivery.endpoint_id)

    def due(self) -> list[WebhookDelivery]:
        """The head of each endpoint's queue, where that head may be sent now."""
        heads = []
        for table in self.world.deliveries.by_account.values():
            seen: set[str] = set()
            for d in table.values():
                if d.endpoint_id in seen or d.status in ("delivered", "failed"):
                    continue
                seen.add(d.endpoint_id)
                if d.status == "pending":
                    heads.append(d)
        return heads

    def record_attempt(
        self, delivery: WebhookDelivery, wall_time: float, status_code: int | None, error: str | None, duration_ms: int
    ) -> None:
        w = self.world
        now = w.now()
        delivery.attempts.append(
            WebhookAttempt(at=now, wall_time=wall_time, status_code=status_code, error=error, duration_ms=duration_ms)
        )
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = "delivered"
        elif len(delivery.attempts) > len(BACKOFF):
            delivery.status = "failed"
        else:
            delivery.status = "retrying"
            delivery.next_attempt_at = now + BACKOFF[len(delivery.attempts) - 1]
            w.clock.schedule(
                delivery.next_attempt_at,
                RETRY_EVENT,
                {"accountId": delivery.account_id, "deliveryId": delivery.id, "endpointId": delivery.endpoint_id},
            )
        self._ring()

    def _retry_due(self, payload: dict[str, Any]) -> None:
        delivery = self.world.deliveries(payload["accountId"]).get(payload["deliveryId"])
        if delivery is not None and delivery.status == "retrying":
            delivery.status = "pending"
            self._ring()

    def _ring(self) -> None:
        if self.listener is not None:
            self.listener()
