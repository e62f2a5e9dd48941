"""The Platform's backend: one object holding the world and every area's rules.

Build it with a clock and a seed; nothing here knows about HTTP. What the domain cannot
say itself comes in here: how a webhook event looks on the wire (`webhook_message`,
`ulmock.webhook_payloads.message` in an emulator).
"""

from __future__ import annotations

from ulmock.domain.accounts import Accounts
from ulmock.domain.activity import Activity
from ulmock.domain.analysis import Analyses
from ulmock.domain.batches import Batches
from ulmock.domain.billing import Billing
from ulmock.domain.clock import Clock
from ulmock.domain.cloud import Cloud
from ulmock.domain.datasets import Datasets
from ulmock.domain.deployments import Deployments
from ulmock.domain.entities import Account
from ulmock.domain.exports import Exports
from ulmock.domain.follows import Follows
from ulmock.domain.gdpr import Gdpr
from ulmock.domain.ingest import Ingest
from ulmock.domain.models import Models
from ulmock.domain.projects import Projects
from ulmock.domain.ratelimit import RateLimiter
from ulmock.domain.roboflow import Roboflow
from ulmock.domain.sdk_runs import SdkRuns
from ulmock.domain.sdk_uploads import SdkUploads
from ulmock.domain.sdk_workspace import SdkWorkspace
from ulmock.domain.storage import Storage
from ulmock.domain.training import Trainings
from ulmock.domain.training_record import TrainingRecord
from ulmock.domain.trash import Trash
from ulmock.domain.uploads import Uploads
from ulmock.domain.webhook_events import MessageFormat
from ulmock.domain.webhooks import Webhooks
from ulmock.domain.workflows import Workflows
from ulmock.domain.world import World


class Platform:
    def __init__(
        self,
        clock: Clock | None = None,
        seed: int | None = 0,
        secret: str | None = None,
        webhook_message: MessageFormat | None = None,
    ):
        self.clock = clock or Clock()
        self.world = World(self.clock, seed, secret)
        w = self.world
        self.activity = Activity(w)
        self.accounts = Accounts(w, self.activity)
        self.rate_limits = RateLimiter(w)
        self.trash = Trash(w, self.activity)
        self.projects = Projects(w, self.activity, self.trash)
        self.datasets = Datasets(w, self.activity, self.trash)
        self.models = Models(w, self.activity, self.trash)
        self.storage = Storage(w)
        self.uploads = Uploads(w)
        self.ingest = Ingest(w, self.uploads, self.activity)
        self.cloud = Cloud(w)
        self.follows = Follows(w)
        self.workflows = Workflows(w)
        self.analyses = Analyses(w)
        self.batches = Batches(w)
        self.roboflow = Roboflow(w)
        self.billing = Billing(w, self.activity)
        self.gdpr = Gdpr(w, self.accounts, self.activity)
        self.webhooks = Webhooks(w, webhook_message)
        self.training_record = TrainingRecord(w, self.activity, self.webhooks)
        self.trainings = Trainings(w, self.activity, self.training_record)
        self.exports = Exports(w, self.activity, self.webhooks)
        self.deployments = Deployments(w, self.activity, self.trash)
        self.sdk_workspace = SdkWorkspace(w, self.accounts, self.projects, self.datasets, self.models)
        self.sdk_runs = SdkRuns(w, self.sdk_workspace, self.training_record, self.activity)
        self.sdk_uploads = SdkUploads(w, self.sdk_workspace, self.storage, self.activity)

    def now(self) -> float:
        return self.clock.now()

    def active_trainings(self, account: Account) -> int:
        """Trainings queued, starting or running."""
        return self.trainings.active_count(account)

    def deployment_count(self, account: Account) -> int:
        return self.deployments.count(account)
