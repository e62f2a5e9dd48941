"""All of one emulator's state, in one object that can be reset and snapshotted."""

from __future__ import annotations

import secrets
from collections import deque
from typing import Any, TypeVar

from ulmock.domain.blobs import BlobStore
from ulmock.domain.clock import Clock
from ulmock.domain.connections import (
    BatchRun,
    Bucket,
    DatasetAnalysis,
    Follow,
    RoboflowWorkspace,
    StorageIntegration,
    Workflow,
)
from ulmock.domain.entities import (
    Account,
    ActivityEvent,
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
from ulmock.domain.keys import ApiKeys
from ulmock.domain.scripts import Scripts
from ulmock.domain.signing import UrlSigner
from ulmock.domain.store import HasId, Kind

R = TypeVar("R", bound=HasId)


class RateWindow:
    __slots__ = ("day_count", "day_start", "minute_count", "minute_start")

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
        self.checkouts: dict[str, CheckoutSession] = {}
        self.rate_windows: dict[str, RateWindow] = {}
        # Calls per (key id, category), oldest first, for sliding-window quotas.
        self.call_times: dict[tuple[str, str], deque[float]] = {}
        self.scripts = Scripts()
        # Each kind of per-account table: its record type, and the fields lists filter on
        # without a scan. Snapshots list them in this order.
        self.projects = Kind("project", Project, ("slug",))
        self.datasets = Kind("dataset", Dataset, ("task", "slug"))
        self.models = Kind("model", Model, ("project_id", "task", "slug"))
        self.activity = Kind("activity", ActivityEvent)
        self.trash = Kind("trash", TrashItem)
        self.api_keys = ApiKeys()
        self.buckets = Kind("bucket", Bucket, ("provider",))
        self.integrations = Kind("integration", StorageIntegration, ("provider",))
        self.follows = Kind("follow", Follow, ("followed_id",))
        self.workflows = Kind("workflow", Workflow)
        self.analyses = Kind("analysis", DatasetAnalysis, ("dataset_id",))
        self.batches = Kind("batch", BatchRun, ("dataset_id",))
        self.roboflow = Kind("roboflow", RoboflowWorkspace, ("api_key",), prefix="rfworkspace")
        self.payments = Kind("payment", Payment, prefix="pay")
        self.trainings = Kind("training", Training, ("model_id",))
        self.exports = Kind("export", Export, ("model_id",))
        self.deployments = Kind("deployment", Deployment, ("model_id", "slug"))
        self.webhooks = Kind("webhook", WebhookEndpoint, prefix="wh")
        self.uploads = Kind("upload", UploadSession)
        self.deliveries = Kind("delivery", WebhookDelivery, ("endpoint_id",), prefix="whdel")
        self.gdpr_exports = Kind("gdpr_export", GdprExport, prefix="gdpr")
        self.kinds: dict[str, Kind[Any]] = {v.name: v for v in vars(self).values() if isinstance(v, Kind)}

    def now(self) -> float:
        return self.clock.now()

    def create(self, kind: Kind[R], account_id: str, /, **fields: Any) -> R:
        """A new record of `kind`, the account's, stored in its table. Its id has the kind's prefix
        and is drawn after whatever the caller drew for `fields`; it was made now (or at the
        `created_at` given), which is its `created_at` and `updated_at` where its type keeps them."""
        record: Any = kind.record
        made = fields.pop("created_at", None)
        made = self.now() if made is None else made
        times = {t: made for t in ("created_at", "updated_at") if t in record.model_fields}
        row: R = record(id=self.ids.new(kind.prefix), account_id=account_id, **{**times, **fields})
        kind.add(account_id, row)
        return row

    def kind(self, name: str) -> Kind[Any]:
        """A kind by its name, for code that handles several (trash, snapshots)."""
        return self.kinds[name]

    def drop_account_tables(self, account_id: str) -> None:
        for kind in self.kinds.values():
            kind.drop(account_id)


def record_types() -> dict[str, type[Record]]:
    """Each kind's record type, by name (what a snapshot's tables may hold)."""
    return {name: kind.record for name, kind in World(Clock(), secret="-").kinds.items()}
