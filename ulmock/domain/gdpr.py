"""GDPR: a download of everything an account holds, and irreversible erasure."""

from __future__ import annotations

import json
from typing import Any

from ulmock.clock import iso
from ulmock.domain.accounts import Accounts
from ulmock.domain.activity import Activity
from ulmock.domain.entities import Account
from ulmock.domain.signing import SignedPath
from ulmock.domain.world import World

EXPORT_TTL = 86_400.0
# Never part of the export: key secrets and ulmock's own storage references.
_PRIVATE = {"secret", "blob_id", "account_id", "data"}


def _public(record: Any) -> Any:
    if isinstance(record, dict):
        return {k: _public(v) for k, v in record.items() if k not in _PRIVATE}
    if isinstance(record, list):
        return [_public(v) for v in record]
    return record


class Gdpr:
    def __init__(self, world: World, accounts: Accounts, activity: Activity):
        self.world = world
        self.accounts = accounts
        self.activity = activity

    def export(self, account: Account) -> SignedPath:
        w = self.world
        document = {
            "exportedAt": iso(w.now()),
            "account": _public(account.model_dump(mode="json")),
            **{
                kind + "s": [_public(r.model_dump(mode="json")) for r in w.table(kind, account.id).values()]
                for kind in ("apikey", "project", "dataset", "model", "payment", "activity", "trash")
            },
        }
        blob = w.blobs.put(json.dumps(document, indent=2).encode(), "application/json")
        self.activity.record(account, "gdpr.exported", "Exported all account data (GDPR)", "account", account.id)
        return w.signer.sign(f"/files/gdpr/{blob.id}/{account.username}-data-export.json", w.now(), EXPORT_TTL)

    def delete(self, account: Account) -> None:
        self.accounts.erase(account)
