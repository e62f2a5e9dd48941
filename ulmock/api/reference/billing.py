"""/api/billing: balance, usage, hosted checkout and portal sessions, payments."""

from __future__ import annotations

from typing import Literal

from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.reference import envelope
from ulmock.api.reference.requests import CheckoutRequest, PageQuery
from ulmock.api.reference.routes import ReferenceRoutes
from ulmock.api.reference.views import BalanceView, balance_view, shape
from ulmock.domain.catalogue import PlanName
from ulmock.domain.clock import iso
from ulmock.domain.entities import CheckoutSession, Payment


@shape
class PlanLimitsView(TypedDict):
    requestsPerMinute: int
    requestsPerDay: int
    models: int
    concurrentTrainings: int
    deployments: int
    storageBytes: int
    webhooks: bool


@shape
class UsageView(TypedDict):
    models: int
    activeTrainings: int
    deployments: int
    storageBytes: int
    requestsThisMinute: int
    requestsToday: int


@shape
class UsageSummaryView(TypedDict):
    plan: PlanName
    limits: PlanLimitsView
    usage: UsageView
    balance: BalanceView


@shape
class CheckoutView(TypedDict):
    sessionId: str
    url: str
    amount: int
    expiresAt: str


def checkout_view(s: CheckoutSession, base_url: str) -> CheckoutView:
    return {
        "sessionId": s.id,
        "url": f"{base_url.rstrip('/')}/billing/checkout/{s.id}",
        "amount": s.amount_usd,
        "expiresAt": iso(s.expires_at),
    }


@shape
class PortalView(TypedDict):
    url: str


@shape
class PaymentView(TypedDict):
    id: str
    type: Literal["topup", "subscription"]
    amount: int
    currency: str
    status: str
    description: str
    createdAt: str


def payment_view(p: Payment) -> PaymentView:
    return {
        "id": p.id,
        "type": p.kind,
        "amount": p.amount,
        "currency": p.currency,
        "status": p.status,
        "description": p.description,
        "createdAt": iso(p.created_at),
    }


routes = ReferenceRoutes("billing", scope="account")


@routes.get("/api/billing/balance", response=BalanceView)
def get_balance(call: Call) -> BalanceView:
    """Balances in micro-USD (1,000,000 = $1.00)."""
    return balance_view(call.platform.billing.balance(call.account))


@routes.get("/api/billing/usage-summary", response=UsageSummaryView)
def get_usage_summary(call: Call) -> UsageSummaryView:
    """The plan, its limits, and what the account uses of them."""
    p, account = call.platform, call.account
    plan = p.accounts.plan(account)
    per_minute, per_day = p.accounts.limits(account)
    minute_used, day_used = p.rate_limits.usage(account.id)
    summary: UsageSummaryView = {
        "plan": plan.name,
        "limits": {
            "requestsPerMinute": per_minute,
            "requestsPerDay": per_day,
            "models": plan.models,
            "concurrentTrainings": plan.concurrent_trainings,
            "deployments": plan.deployments,
            "storageBytes": plan.storage_bytes,
            "webhooks": plan.webhooks,
        },
        "usage": {
            "models": p.models.count(account),
            "activeTrainings": p.active_trainings(account),
            "deployments": p.deployment_count(account),
            "storageBytes": p.storage.usage(account).used,
            "requestsThisMinute": minute_used,
            "requestsToday": day_used,
        },
        "balance": balance_view(p.billing.balance(account)),
    }
    return summary


@routes.post("/api/billing/checkout-session", body=CheckoutRequest, response=CheckoutView)
def create_checkout_session(call: Call) -> CheckoutView:
    """A hosted checkout page to buy credit ($5 to $1,000)."""
    session = call.platform.billing.checkout(call.account, call.body.amount)
    return checkout_view(session, call.base_url)


@routes.post("/api/billing/subscription-checkout", response=CheckoutView)
def create_subscription_checkout(call: Call) -> CheckoutView:
    """A hosted checkout page to subscribe to Pro."""
    session = call.platform.billing.subscription_checkout(call.account)
    return checkout_view(session, call.base_url)


@routes.post("/api/billing/portal-session", response=PortalView)
def create_portal_session(call: Call) -> PortalView:
    """A hosted billing portal page (plan, payments, cancel subscription)."""
    session = call.platform.billing.portal(call.account)
    return {"url": f"{call.base_url}/billing/portal/{session.id}"}


@routes.get("/api/billing/payments", query=PageQuery, response=PaymentView, paginated=True)
def list_payments(call: Call) -> Response:
    """Payments, newest first."""
    q = call.query
    page = call.platform.billing.payments(call.account, q.page, q.limit)
    return envelope.paged(page, [payment_view(x) for x in page.items])
