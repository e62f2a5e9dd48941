"""The hosted checkout and billing-portal pages that billing sessions point at.

They stand in for Stripe's pages: a person (or a browser test) can open the URL an API
call returned, press Pay, and see the balance or the plan change.
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ulmock.api.route_index import compiled_route
from ulmock.api.served import Served
from ulmock.domain.clock import iso
from ulmock.domain.errors import ApiError

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;color:#111}"
    ".card{border:1px solid #ddd;border-radius:12px;padding:2rem}"
    "button{background:#042aff;color:#fff;border:0;border-radius:8px;padding:.8rem 1.6rem;font-size:1rem}"
    "small{color:#666}"
)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    doc = f"<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title>"
    doc += f"<style>{_STYLE}</style></head><body><div class=card>{body}</div>"
    doc += (
        "<p><small>Served by ulmock, an emulator of the Ultralytics Platform. No money moves.</small></p></body></html>"
    )
    return HTMLResponse(doc, status_code=status)


class BillingPages:
    def __init__(self, served: Served):
        self.served = served

    def routes(self) -> list[Route]:
        return [
            compiled_route("/billing/checkout/{sessionId}", self.checkout, methods=["GET"]),
            compiled_route("/billing/checkout/{sessionId}/complete", self.complete, methods=["POST"]),
            compiled_route("/billing/portal/{sessionId}", self.portal, methods=["GET"]),
            compiled_route("/billing/portal/{sessionId}/cancel-subscription", self.cancel, methods=["POST"]),
        ]

    async def checkout(self, request: Request) -> Response:
        sid = request.path_params["sessionId"]
        with self.served.lock:
            try:
                session = self.served.platform.billing.session(sid)
            except ApiError as err:
                return _page("Checkout", f"<h1>Checkout not found</h1><p>{html.escape(err.message)}</p>", err.status)
        what = "Ultralytics Pro, monthly" if session.kind == "subscription" else "Platform credit"
        if session.status != "open":
            return _page("Checkout", f"<h1>Checkout {session.status}</h1><p>{what}: ${session.amount_usd}</p>")
        return _page(
            "Checkout",
            f"<h1>{what}</h1><p style='font-size:2rem'>${session.amount_usd}.00</p>"
            f"<form method=post action='/billing/checkout/{html.escape(sid)}/complete'>"
            f"<button type=submit>Pay ${session.amount_usd}</button></form>"
            f"<p><small>Session {html.escape(sid)}, expires {iso(session.expires_at)}</small></p>",
        )

    async def complete(self, request: Request) -> Response:
        sid = request.path_params["sessionId"]
        with self.served.lock:
            try:
                payment = self.served.platform.billing.complete(sid)
            except ApiError as err:
                return _page("Checkout", f"<h1>Payment failed</h1><p>{html.escape(err.message)}</p>", err.status)
        return _page("Payment succeeded", f"<h1>Payment succeeded</h1><p>{html.escape(payment.description)}</p>")

    async def portal(self, request: Request) -> Response:
        sid = request.path_params["sessionId"]
        with self.served.lock:
            p = self.served.platform
            try:
                account = p.billing.portal_account(sid)
            except ApiError as err:
                return _page("Billing portal", f"<h1>{html.escape(err.message)}</h1>", err.status)
            balance = p.billing.balance(account)
            payments = list(p.world.payments(account.id).values())
        rows = "".join(
            f"<li>{iso(x.created_at)[:10]}: {html.escape(x.description)} (${x.amount / 1e6:.2f})</li>" for x in payments
        )
        cancel = ""
        if account.plan == "pro":
            cancel = (
                f"<form method=post action='/billing/portal/{html.escape(sid)}/cancel-subscription'>"
                "<button type=submit>Cancel Pro subscription</button></form>"
            )
        return _page(
            "Billing portal",
            f"<h1>{html.escape(account.username)}</h1><p>Plan: <b>{account.plan}</b></p>"
            f"<p>Balance: ${balance.total / 1e6:.2f}</p><h2>Payments</h2><ul>{rows or '<li>none</li>'}</ul>" + cancel,
        )

    async def cancel(self, request: Request) -> Response:
        sid = request.path_params["sessionId"]
        with self.served.lock:
            p = self.served.platform
            try:
                p.billing.cancel_subscription(p.billing.portal_account(sid))
            except ApiError as err:
                return _page("Billing portal", f"<h1>{html.escape(err.message)}</h1>", err.status)
        return RedirectResponse(f"/billing/portal/{sid}", status_code=303)
