"""An account's money while trainings run: what is available, reservations, charges.

A run reserves its estimated cost when it starts, is charged epoch by epoch (credit first,
then cash) out of that reservation, and releases what is left when it ends.
"""

from __future__ import annotations

from ulmock.domain.billing import balance_of
from ulmock.domain.entities import Account, Training


def available_balance(account: Account) -> int:
    """Cash and credit, less what running trainings have reserved."""
    return balance_of(account).available


def reserve(account: Account, training: Training, amount: int) -> None:
    training.reserved = amount
    account.reserved += amount


def charge(account: Account, training: Training, amount: int) -> bool:
    """Take `amount` (credit first, then cash); False, taking what there is, if short."""
    # The money this run may use: its own reservation plus whatever is not reserved.
    usable = available_balance(account) + training.reserved
    take = max(0, min(amount, usable))
    from_credit = min(take, account.credit_balance)
    account.credit_balance -= from_credit
    account.cash_balance -= take - from_credit
    released = min(take, training.reserved)
    training.reserved -= released
    account.reserved -= released
    training.cost_so_far += take
    return take >= amount


def release(account: Account, training: Training) -> None:
    """The run ended: what is left of its reservation is the account's again."""
    account.reserved -= training.reserved
    training.reserved = 0
