"""Webhook endpoints (registered for an account, listed with their secrets, removed) and
every delivery made to them, with its attempts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.control.routes import ControlBody, ControlCall, ControlRoutes, listed
from ulmock.domain.clock import iso

if TYPE_CHECKING:
    from ulmock.domain.backend import Platform
    from ulmock.domain.entities import WebhookAttempt, WebhookDelivery, WebhookEndpoint

routes = ControlRoutes("webhooks")


class NewWebhook(ControlBody):
    url: str = Field(min_length=1, max_length=2000)
    events: list[str] | None = Field(None, max_length=20)
    secret: str | None = Field(None, max_length=200)
    account: str | None = Field(None, max_length=64, description="username; default: the first account")


def webhook_view(p: Platform, e: WebhookEndpoint) -> dict[str, Any]:
    account = p.world.accounts.get(e.account_id)
    return {
        "id": e.id,
        "url": e.url,
        "events": e.events,
        "secret": e.secret,
        "account": account.username if account else None,
        "createdAt": iso(e.created_at),
    }


@routes.get("/_ulmock/webhooks")
def list_webhooks(call: ControlCall) -> list[dict[str, Any]]:
    """Every endpoint, with its secret."""
    p = call.platform
    return [webhook_view(p, e) for e in p.webhooks.endpoints()]


@routes.post("/_ulmock/webhooks", body=NewWebhook, status=201)
def create_webhook(call: ControlCall) -> dict[str, Any]:
    """Register an endpoint for an account (default: the first one)."""
    body: NewWebhook = call.body
    p = call.platform
    account = p.accounts.named_or_default(body.account, "attach the webhook to")
    return webhook_view(p, p.webhooks.register(account, body.url, body.events, body.secret))


# Before `/_ulmock/webhooks/{webhookId}`, which would take this path too.
@routes.get("/_ulmock/webhooks/deliveries")
async def list_deliveries(call: ControlCall) -> Response:
    """Every delivery with its attempts, status codes and payloads."""
    return listed(call.emulator.webhooks.deliveries(delivery_view))


@routes.delete("/_ulmock/webhooks/{webhookId}")
def delete_webhook(call: ControlCall) -> dict[str, Any]:
    """Remove an endpoint; nothing more is sent to it."""
    endpoint = call.platform.webhooks.remove(call.params["webhookId"])
    return {"id": endpoint.id, "deleted": True}


class AttemptView(TypedDict):
    at: str  # on the emulator's clock
    wallTime: float  # on the machine's, when it was sent
    statusCode: int | None
    error: str | None
    durationMs: int


class DeliveryView(TypedDict):
    id: str
    endpointId: str
    url: str
    messageId: str
    type: str
    status: Literal["pending", "retrying", "delivered", "failed"]
    payload: dict[str, Any]
    createdAt: str
    nextAttemptAt: str | None  # while one is owed
    attempts: list[AttemptView]


def delivery_view(d: WebhookDelivery) -> DeliveryView:
    """One delivery as the control API and the fixture's `.webhooks` show it."""
    return {
        "id": d.id,
        "endpointId": d.endpoint_id,
        "url": d.url,
        "messageId": d.message_id,
        "type": d.type,
        "status": d.status,
        "payload": d.payload,
        "createdAt": iso(d.created_at),
        "nextAttemptAt": iso(d.next_attempt_at) if d.status in ("pending", "retrying") else None,
        "attempts": [attempt_view(a) for a in d.attempts],
    }


def attempt_view(a: WebhookAttempt) -> AttemptView:
    return {
        "at": iso(a.at),
        "wallTime": a.wall_time,
        "statusCode": a.status_code,
        "error": a.error,
        "durationMs": a.duration_ms,
    }
