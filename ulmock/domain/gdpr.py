"""GDPR: a download of everything an account holds, and irreversible erasure."""

from __future__ import annotations

import json
from typing import Any

from ulmock.domain.accounts import Accounts
from ulmock.domain.activity import Activity
from ulmock.domain.clock import iso
from ulmock.domain.entities import Account, GdprExport
from ulmock.domain.grants import GDPR_DOWNLOAD_TTL, BlobRef, Grant, grant
from ulmock.domain.world import World

EXPIRE_EVENT = "gdpr.expire"
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
        world.clock.on(EXPIRE_EVENT, self._expire)

    def export(self, account: Account) -> Grant:
        w = self.world
        document = {
            "exportedAt": iso(w.now()),
            "account": _public(account.model_dump(mode="json")),
            **{
                kind + "s": [_public(r.model_dump(mode="json")) for r in w.kind(kind)(account.id).values()]
                for kind in ("apikey", "project", "dataset", "model", "payment", "activity", "trash")
            },
        }
        blob = w.blobs.put(json.dumps(document, indent=2).encode(), "application/json")
        record = w.create(
            w.gdpr_exports,
            account.id,
            blob_id=blob.id,
            file_name=f"{account.username}-data-export.json",
            expires_at=0.0,
        )
        download = grant(BlobRef("gdpr", record.id, record.file_name), w.now(), GDPR_DOWNLOAD_TTL)
        record.expires_at = download.expires_at
        # The URL stops working after `expires_at`; a second later the bytes go too.
        w.clock.schedule(record.expires_at + 1, EXPIRE_EVENT, {"accountId": account.id, "exportId": record.id})
        self.activity.record(account, "gdpr.exported", "Exported all account data (GDPR)", "account", account.id)
        return download

    def find(self, export_id: str) -> GdprExport | None:
        """An export still held, of an account that still exists (a signed URL's authority)."""
        record: GdprExport | None = self.world.gdpr_exports.find(export_id)
        return record if record is not None and record.account_id in self.world.accounts else None

    def _expire(self, payload: dict[str, Any]) -> None:
        table = self.world.gdpr_exports.by_account.get(payload["accountId"])
        record = table.get(payload["exportId"]) if table is not None else None
        if record is not None:
            table.remove(record.id)  # type: ignore[union-attr]
            self.world.blobs.delete(record.blob_id)

    def delete(self, account: Account) -> None:
        self.accounts.erase(account)
