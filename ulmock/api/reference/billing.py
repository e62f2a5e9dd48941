"""/api/billing: balance, usage, hosted checkout and portal sessions, payments."""

from __future__ import annotations

from starlette.responses import Response

from ulmock.api.reference import envelope
from ulmock.api.routing import Call, Routes
from ulmock.api.schemas import CheckoutRequest, PageQuery
from ulmock.api.reference.views import (
    balance_view,
    BalanceView,
    CheckoutView,
    PaymentView,
    PortalView,
    UsageSummaryView,
    checkout_view,
    payment_view,
)

routes = Routes("billing")
SCOPE = "account"


@routes.get("/api/billing/balance", scope=SCOPE, response=BalanceView)
def get_balance(call: Call) -> Response:
    """Balances in micro-USD (1,000,000 = $1.00)."""
    return envelope.ok(balance_view(call.platform.billing.balance(call.account)))


@routes.get("/api/billing/usage-summary", scope=SCOPE, response=UsageSummaryView)
def get_usage_summary(call: Call) -> Response:
    """The plan, its limits, and what the account uses of them."""
    p, account = call.platform, call.account
    plan = p.accounts.plan(account)
    per_minute, per_day = p.accounts.limits(account)
    minute_used, day_used = p.rate_limits.usage(account.id)
    return envelope.ok(
        {
            "plan": account.plan,
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
    )


@routes.post("/api/billing/checkout-session", scope=SCOPE, body=CheckoutRequest, response=CheckoutView)
def create_checkout_session(call: Call) -> Response:
    """A hosted checkout page to buy credit ($5 to $1,000)."""
    session = call.platform.billing.checkout(call.account, call.body.amount)
    return envelope.ok(checkout_view(session, call.base_url))


@routes.post("/api/billing/subscription-checkout", scope=SCOPE, response=CheckoutView)
def create_subscription_checkout(call: Call) -> Response:
    """A hosted checkout page to subscribe to Pro."""
    session = call.platform.billing.subscription_checkout(call.account)
    return envelope.ok(checkout_view(session, call.base_url))


@routes.post("/api/billing/portal-session", scope=SCOPE, response=PortalView)
def create_portal_session(call: Call) -> Response:
    """A hosted billing portal page (plan, payments, cancel subscription)."""
    session = call.platform.billing.portal(call.account)
    return envelope.ok({"url": f"{call.base_url}/billing/portal/{session.id}"})


@routes.get("/api/billing/payments", scope=SCOPE, query=PageQuery, response=PaymentView, paginated=True)
def list_payments(call: Call) -> Response:
    """Payments, newest first."""
    q = call.query
    page = call.platform.billing.payments(call.account, q.page, q.limit)
    return envelope.paged(page, [payment_view(x) for x in page.items])
