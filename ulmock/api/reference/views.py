"""How the reference face declares what it answers, and the shapes several areas share.

A shape is written once, as a `TypedDict` marked `@shape`, in the module of the area that
answers with it (`DatasetView` in `datasets.py`). The same type does both jobs:

- its builder returns a dict literal annotated with it, so mypy rejects a missing,
  extra or mistyped field, at no cost per request (a literal, not a model);
- the operation declares it (`response=DatasetView`) and `openapi.py` publishes it
  through pydantic, `additionalProperties: false` included; the contract tests check
  every answer against that schema.
"""

from __future__ import annotations

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from ulmock.domain.billing import Balance
from ulmock.domain.clock import iso
from ulmock.domain.entities import TrashItem

shape = with_config(ConfigDict(extra="forbid"))
"""Marks a response TypedDict: its schema forbids fields it does not list."""


@shape
class DeletedView(TypedDict):
    id: str
    deleted: bool


@shape
class TrashedView(TypedDict):
    id: str
    deleted: bool
    trashExpiresAt: str


def trashed_view(item: TrashItem) -> TrashedView:
    return {"id": item.id, "deleted": True, "trashExpiresAt": iso(item.expires_at)}


@shape
class BalanceView(TypedDict):
    cashBalance: int
    creditBalance: int
    reservedAmount: int
    totalBalance: int
    availableBalance: int


def balance_view(b: Balance) -> BalanceView:
    return {
        "cashBalance": b.cash,
        "creditBalance": b.credit,
        "reservedAmount": b.reserved,
        "totalBalance": b.total,
        "availableBalance": b.available,
    }
