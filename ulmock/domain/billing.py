"""Balances in micro-USD, hosted checkout and portal sessions, payments.

Checkout and portal pages are served by ulmock itself; completing a checkout (on the
page or through the control API) credits the balance or upgrades the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ulmock.domain.activity import Activity
from ulmock.domain.catalogue import (
    CHECKOUT_MAX_USD,
    CHECKOUT_MIN_USD,
    PLAN_LIMITS,
    usd_to_micro,
)
from ulmock.domain.entities import Account, CheckoutSession, Payment
from ulmock.domain.errors import Forbidden, NotFound, ValidationError
from ulmock.domain.store import Page
from ulmock.domain.world import World

CHECKOUT_TTL = 86_400.0


@dataclass(frozen=True)
class LedgerEntry:
    """One movement of an account's money: a top-up, a plan payment, a training's GPU time."""

    id: str
    kind: Literal["purchase", "subscription", "training"]
    amount: int  # micro-USD, negative for charges
    balance_after: int  # credit + cash once this entry applied (plan payments leave it as it was)
    at: float
    model_id: str | None = None
    training_id: str | None = None
    gpu_type: str | None = None


@dataclass(frozen=True)
class Balance:
    """An account's money in micro-USD: what it holds, and what running trainings have reserved."""

    cash: int
    credit: int
    reserved: int

    @property
    def total(self) -> int:
        return self.cash + self.credit

    @property
    def available(self) -> int:
        """What a new training may spend: the total less what is reserved."""
        return self.total - self.reserved


def balance_of(account: Account) -> Balance:
    return Balance(account.cash_balance, account.credit_balance, account.reserved)


class Billing:
    def __init__(self, world: World, activity: Activity):
        self.world = world
        self.activity = activity

    @staticmethod
    def balance(account: Account) -> Balance:
        return balance_of(account)

    def checkout(self, account: Account, amount_usd: int) -> CheckoutSession:
        if not CHECKOUT_MIN_USD <= amount_usd <= CHECKOUT_MAX_USD:
            raise ValidationError(
                f"amount must be between ${CHECKOUT_MIN_USD} and ${CHECKOUT_MAX_USD}",
                {"amount": f"{CHECKOUT_MIN_USD}..{CHECKOUT_MAX_USD} USD"},
            )
        return self._session(account, "topup", amount_usd)

    def subscription_checkout(self, account: Account) -> CheckoutSession:
        if account.plan != "free":
            raise ValidationError(f"Account is already on the {account.plan} plan", {"plan": account.plan})
        return self._session(account, "subscription", PLAN_LIMITS["pro"].monthly_price_usd)

    def portal(self, account: Account) -> CheckoutSession:
        return self._session(account, "portal", 0)

    def _session(self, account: Account, kind: str, amount_usd: int) -> CheckoutSession:
        w = self.world
        now = w.now()
        session = CheckoutSession(
            id=w.ids.new("cs", 24),
            account_id=account.id,
            kind=kind,
            amount_usd=amount_usd,
            created_at=now,
            expires_at=now + CHECKOUT_TTL,
        )
        w.checkouts[session.id] = session
        return session

    def portal_account(self, session_id: str) -> Account:
        """Whose billing portal this session opens."""
        session = self.world.checkouts.get(session_id)
        account = self.world.accounts.get(session.account_id) if session and session.kind == "portal" else None
        if account is None or account.deleted:
            raise NotFound("Portal session not found", {"id": session_id})
        return account

    def session(self, session_id: str) -> CheckoutSession:
        session = self.world.checkouts.get(session_id)
        if session is None or session.kind == "portal":
            raise NotFound("Checkout session not found", {"id": session_id})
        return session

    def complete(self, session_id: str) -> Payment:
        """The customer paid: credit the balance or upgrade the plan."""
        w = self.world
        session = self.session(session_id)
        account = w.accounts.get(session.account_id)
        if account is None or account.deleted:
            raise NotFound("Checkout session not found", {"id": session_id})
        if session.status != "open":
            raise ValidationError(f"Checkout session is {session.status}", {"status": session.status})
        if w.now() > session.expires_at:
            session.status = "expired"
            raise Forbidden("Checkout session has expired", {"expiresAt": session.expires_at})
        session.status = "complete"
        amount = usd_to_micro(session.amount_usd)
        if session.kind == "topup":
            account.cash_balance += amount
            description = f"Credit top-up ${session.amount_usd}"
        else:
            account.plan = "pro"
            description = "Ultralytics Pro subscription (monthly)"
        payment = w.create(
            w.payments, account.id, kind=session.kind, amount=amount, description=description, checkout_id=session.id
        )
        self.activity.record(
            account, "payment.succeeded", f"Payment of ${session.amount_usd}: {description}", "payment", payment.id
        )
        if session.kind == "subscription":
            self.activity.record(account, "plan.upgraded", "Upgraded to the Pro plan", "account", account.id)
        return payment

    def cancel_subscription(self, account: Account) -> None:
        if account.plan != "pro":
            raise ValidationError("No active Pro subscription", {"plan": account.plan})
        account.plan = "free"
        self.activity.record(account, "plan.downgraded", "Cancelled the Pro subscription", "account", account.id)

    def ledger(self, account: Account) -> list[LedgerEntry]:
        """Every movement, newest first, each with the balance it left."""
        w = self.world
        moves: list[tuple[float, str, str, int, bool, Payment | None, object]] = []
        for pay in w.payments(account.id).values():
            kind = "purchase" if pay.kind == "topup" else "subscription"
            moves.append((pay.created_at, pay.id, kind, pay.amount, pay.kind == "topup", pay, None))
        for t in w.trainings(account.id).values():
            if t.cost_so_far:
                moves.append((t.started_at or t.created_at, t.id, "training", -t.cost_so_far, True, None, t))
        moves.sort(key=lambda m: (m[0], m[1]), reverse=True)
        balance = account.cash_balance + account.credit_balance
        out: list[LedgerEntry] = []
        for at, ident, kind, amount, counts, _, training in moves:
            out.append(
                LedgerEntry(
                    ident,
                    kind,  # type: ignore[arg-type]
                    amount,
                    balance,
                    at,
                    model_id=getattr(training, "model_id", None),
                    training_id=getattr(training, "id", None),
                    gpu_type=getattr(training, "gpu_type", None),
                )
            )
            if counts:
                balance -= amount
        return out

    def payments(self, account: Account, page: int, limit: int) -> Page[Payment]:
        return self.world.payments(account.id).page(page, limit)
