"""Accounts as a test sets them up: made with a plan, money and limits, listed with their
keys (an emulator may show secrets); a checkout paid; objects put in an account's cloud."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from pydantic import Field
from starlette.responses import Response

from ulmock.api.control.routes import BULK_BODY_LIMIT, ControlBody, ControlCall, ControlRoutes
from ulmock.api.reference import envelope
from ulmock.api.reference.views import balance_view
from ulmock.domain.catalogue import PlanName, usd_to_micro
from ulmock.domain.cloud import check_key
from ulmock.domain.entities import Account, RateLimits
from ulmock.domain.errors import ValidationError

if TYPE_CHECKING:
    from ulmock.domain.backend import Platform

routes = ControlRoutes("accounts")


class RateLimitsIn(ControlBody):
    perMinute: int = Field(ge=1)
    perDay: int = Field(ge=1)


class NewAccount(ControlBody):
    username: str = Field(min_length=1, max_length=64)
    plan: PlanName = "free"
    balance: float | None = Field(None, ge=0, description="USD of cash balance")
    credit: float | None = Field(None, ge=0, description="USD of credit (default: the $5 sign-up credit)")
    rateLimits: RateLimitsIn | None = None
    apiKey: str | None = None


class BucketObjects(ControlBody):
    account: str | None = Field(None, max_length=64, description="username; default: the first account")
    objects: dict[str, str] = Field(default_factory=dict, max_length=10_000, description="key -> base64 bytes")


def account_view(p: Platform, account: Account) -> dict[str, Any]:
    per_minute, per_day = p.accounts.limits(account)
    return {
        "id": account.id,
        "username": account.username,
        "plan": account.plan,
        "balance": balance_view(p.billing.balance(account)),
        "rateLimits": {"perMinute": per_minute, "perDay": per_day},
        "apiKeys": [
            {"id": k.id, "name": k.name, "key": k.secret, "scopes": k.scopes}
            for k in p.world.api_keys(account.id).values()
        ],
    }


@routes.get("/_ulmock/accounts")
def list_accounts(call: ControlCall) -> list[dict[str, Any]]:
    """Every account with its plan, balance, limits and API keys."""
    p = call.platform
    return [account_view(p, a) for a in p.accounts.live()]


@routes.post("/_ulmock/accounts", body=NewAccount, status=201)
def create_account(call: ControlCall) -> dict[str, Any]:
    """An account and its first key, which the answer shows as `apiKey`."""
    body: NewAccount = call.body
    wanted = body.rateLimits
    limits = RateLimits(per_minute=wanted.perMinute, per_day=wanted.perDay) if wanted else None
    balances: dict[str, Any] = {"cash_balance": usd_to_micro(body.balance or 0)}
    if body.credit is not None:
        balances["credit_balance"] = usd_to_micro(body.credit)
    p = call.platform
    account, key = p.accounts.create(body.username, body.plan, rate_limits=limits, api_key=body.apiKey, **balances)
    return {**account_view(p, account), "apiKey": key.secret}


@routes.post("/_ulmock/checkouts/{sessionId}/complete")
def complete_checkout(call: ControlCall) -> dict[str, Any]:
    """Pay a checkout session, as the customer would on its page."""
    payment = call.platform.billing.complete(call.params["sessionId"])
    return {"paymentId": payment.id, "amount": payment.amount, "type": payment.kind}


@routes.put("/_ulmock/buckets/{provider}/{name}", body=BucketObjects, max_body=BULK_BODY_LIMIT)
async def put_bucket(call: ControlCall) -> Response:
    """Create a bucket of an account's emulated cloud (if new) and put objects in it."""
    body: BucketObjects = call.body
    objects: dict[str, bytes] = {}
    for key, text in body.objects.items():
        try:
            objects[key] = base64.b64decode(text, validate=True)
        except ValueError:
            raise ValidationError(f"Object '{key[:100]}' is not base64", {"objects": key[:100]}) from None
    provider, name = call.params["provider"], call.params["name"]
    for key in objects:
        check_key(key)
    with call.emulator.lock:
        p = call.platform
        account = p.accounts.named_or_default(body.account, "put the bucket in")
        existed = p.cloud.bucket(account, provider, name) is not None
        bucket = p.cloud.add_bucket(account, provider, name)
        p.cloud.put_objects(bucket, objects)
        count = sum(1 for _ in p.cloud.files(bucket))
    view = {"provider": provider, "name": name, "account": account.username, "objects": count}
    return envelope.ok(view, 200 if existed else 201)
