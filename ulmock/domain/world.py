"""All of one emulator's state, in one object that can be reset and snapshotted."""

from __future__ import annotations

import secrets
from collections import deque
from typing import Any

from ulmock.domain.clock import Clock
from ulmock.domain.blobs import BlobStore
from ulmock.domain.connections import (
    BatchRun, Bucket, DatasetAnalysis, Follow, RoboflowWorkspace, StorageIntegration, Workflow,
)  # fmt: skip
from ulmock.domain.entities import (
    Account,
    ActivityEvent,
    ApiKey,
    CheckoutSession,
    Dataset,
    Deployment,
    Export,
    GdprExport,
    Model,
    Payment,
    Project,
    Record,
    Training,
    TrashItem,
    UploadSession,
    WebhookDelivery,
    WebhookEndpoint,
)
from ulmock.domain.ids import IdFactory
from ulmock.domain.scripts import Scripts
from ulmock.domain.signing import UrlSigner
from ulmock.domain.store import Table

# Each kind of per-account table: its record type, and the fields lists filter on
# without a scan.
TABLES: dict[str, tuple[type[Record], tuple[str, ...]]] = {
    "project": (Project, ("slug",)),
    "dataset": (Dataset, ("task", "slug")),
    "model": (Model, ("project_id", "task", "slug")),
    "activity": (ActivityEvent, ()),
    "trash": (TrashItem, ()),
    "apikey": (ApiKey, ()),
    "bucket": (Bucket, ("provider",)),
    "integration": (StorageIntegration, ("provider",)),
    "follow": (Follow, ("followed_id",)),
    "workflow": (Workflow, ()),
    "analysis": (DatasetAnalysis, ("dataset_id",)),
    "batch": (BatchRun, ("dataset_id",)),
    "roboflow": (RoboflowWorkspace, ("api_key",)),
    "payment": (Payment, ()),
    "training": (Training, ("model_id",)),
    "export": (Export, ("model_id",)),
    "deployment": (Deployment, ("model_id", "slug")),
    "webhook": (WebhookEndpoint, ()),
    "upload": (UploadSession, ()),
    "delivery": (WebhookDelivery, ("endpoint_id",)),
    "gdpr_export": (GdprExport, ()),
}


class RateWindow:
    __slots__ = ("minute_start", "minute_count", "day_start", "day_count")

    def __init__(self) -> None:
        self.minute_start = 0
        self.minute_count = 0
        self.day_start = 0
        self.day_count = 0


class World:
    def __init__(self, clock: Clock, seed: int | None = 0, secret: str | None = None):
        self.clock = clock
        self.seed = seed
        self.ids = IdFactory(seed)
        self.secret = secret or secrets.token_hex(32)
        self.signer = UrlSigner(self.secret)
        self.blobs = BlobStore(self.ids)
        self.accounts: dict[str, Account] = {}
        self.usernames: dict[str, str] = {}
        self.keys: dict[str, ApiKey] = {}
        self.key_by_secret: dict[str, str] = {}
        self.checkouts: dict[str, CheckoutSession] = {}
        self.rate_windows: dict[str, RateWindow] = {}
        # Calls per (key id, category), oldest first, for sliding-window quotas.
        self.call_times: dict[tuple[str, str], deque[float]] = {}
        self.scripts = Scripts()
        self._tables: dict[str, dict[str, Table[Any]]] = {kind: {} for kind in TABLES}

    def now(self) -> float:
        return self.clock.now()

    def table(self, kind: str, account_id: str) -> Table[Any]:
        per_account = self._tables[kind]
        table = per_account.get(account_id)
        if table is None:
            table = per_account[account_id] = Table(TABLES[kind][1])
        return table

    def drop_account_tables(self, account_id: str) -> None:
        for per_account in self._tables.values():
            per_account.pop(account_id, None)

    def find(self, kind: str, ident: str) -> Any:
        """A live record by id, whoever owns it (for signed URLs, which carry their own authority)."""
        for table in self._tables[kind].values():
            row = table.get(ident)
            if row is not None:
                return row
        return None

    def tables_of(self, kind: str) -> dict[str, Table[Any]]:
        return self._tables[kind]
