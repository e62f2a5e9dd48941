"""Billing: balances in micro-USD, hosted checkout and portal pages, payments."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import data, error


def test_balance_is_in_micro_usd(ulmock):
    assert data(ulmock.client.get("/api/billing/balance")) == {
        "cashBalance": 50_000_000,
        "creditBalance": 5_000_000,
        "reservedAmount": 0,
        "totalBalance": 55_000_000,
        "availableBalance": 55_000_000,
    }


@pytest.mark.parametrize("amount", [4, 1001, 0, -5])
def test_checkout_amount_must_be_5_to_1000_usd(ulmock, amount):
    err = error(ulmock.client.post("/api/billing/checkout-session", json={"amount": amount}), 400, "VALIDATION_ERROR")
    assert "amount" in err["details"]


def test_checkout_amount_must_be_a_number(ulmock):
    error(ulmock.client.post("/api/billing/checkout-session", json={"amount": "25"}), 400, "VALIDATION_ERROR")
    error(ulmock.client.post("/api/billing/checkout-session", json={}), 400, "VALIDATION_ERROR")


def test_paying_on_the_hosted_page_credits_the_balance_once(ulmock):
    session = data(ulmock.client.post("/api/billing/checkout-session", json={"amount": 25}))
    page = httpx.get(session["url"])
    assert page.status_code == 200 and "Pay $25" in page.text
    paid = httpx.post(session["url"] + "/complete")
    assert paid.status_code == 200 and "Payment succeeded" in paid.text
    assert data(ulmock.client.get("/api/billing/balance"))["cashBalance"] == 75_000_000
    assert httpx.post(session["url"] + "/complete").status_code == 400
    assert data(ulmock.client.get("/api/billing/balance"))["cashBalance"] == 75_000_000
    payments = data(ulmock.client.get("/api/billing/payments"))
    assert [(p["type"], p["amount"]) for p in payments] == [("topup", 25_000_000)]
    assert data(ulmock.client.get("/api/activity?search=payment"))[0]["type"] == "payment.succeeded"


def test_checkout_sessions_expire_after_a_day(ulmock):
    session = data(ulmock.client.post("/api/billing/checkout-session", json={"amount": 10}))
    ulmock.clock.advance(days=1, seconds=1)
    r = ulmock.client.post(f"{ulmock.url}/_ulmock/checkouts/{session['sessionId']}/complete")
    error(r, 403, "FORBIDDEN")
    assert data(ulmock.client.get("/api/billing/balance"))["cashBalance"] == 50_000_000


def test_subscription_upgrades_free_to_pro_and_portal_cancels(ulmock):
    free = ulmock.account("upgrader", plan="free")
    session = data(free.client.post("/api/billing/subscription-checkout"))
    assert session["amount"] == 29
    httpx.post(session["url"] + "/complete")
    summary = data(free.client.get("/api/billing/usage-summary"))
    assert summary["plan"] == "pro" and summary["limits"]["requestsPerMinute"] == 300
    error(free.client.post("/api/billing/subscription-checkout"), 400, "VALIDATION_ERROR")
    portal = data(free.client.post("/api/billing/portal-session"))["url"]
    page = httpx.get(portal)
    assert "Pro subscription" in page.text and "<b>pro</b>" in page.text
    httpx.post(portal + "/cancel-subscription", follow_redirects=True)
    assert data(free.client.get("/api/billing/usage-summary"))["plan"] == "free"


def test_usage_summary_reports_plan_limits_and_usage(ulmock):
    s = data(ulmock.client.get("/api/billing/usage-summary"))
    assert s["plan"] == "pro"
    assert s["limits"]["models"] == 500 and s["limits"]["storageBytes"] == 500 * 1024**3
    assert s["usage"]["models"] == 1 and s["usage"]["requestsThisMinute"] == 1


def test_unknown_checkout_pages_are_404(ulmock):
    assert httpx.get(f"{ulmock.url}/billing/checkout/cs_nope").status_code == 404
    assert httpx.get(f"{ulmock.url}/billing/portal/cs_nope").status_code == 404
