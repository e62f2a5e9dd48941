"""The emulator's records. Plain pydantic models: fast to mutate, trivial to snapshot.

These hold everything ulmock knows, including what the API never shows (owners,
secrets, blob references). What each face shows of them lives with the face (`ulmock.api.reference.<area>`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Visibility = Literal["private", "public"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Owned(Record):
    """A top-level resource of an account: its kind (what the trash tells them apart by), its
    id and its owner, in that order, ahead of the fields of its own (a subclass narrows `kind`
    to its Literal, in the same place)."""

    kind: str
    id: str
    account_id: str


class RateLimits(Record):
    per_minute: int
    per_day: int


class Account(Record):
    id: str
    username: str
    email: str
    plan: str
    cash_balance: int = 0
    credit_balance: int = 0
    reserved: int = 0
    rate_limits: RateLimits | None = None
    region: Literal["us", "eu", "ap"] = "us"  # where the account's data lives
    created_at: float
    deleted: bool = False


class ApiKey(Record):
    id: str
    account_id: str
    name: str
    secret: str
    scopes: list[str] | None = None
    created_at: float
    last_used_at: float | None = None


class Blob(Record):
    """Bytes ulmock stores: in memory (`data`, uploads) or on disk (`path`, fixtures)."""

    model_config = ConfigDict(extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")

    id: str
    size: int
    sha256: str
    content_type: str = "application/octet-stream"
    data: bytes | None = None
    path: str | None = None


class Project(Owned):
    kind: Literal["project"] = "project"
    name: str
    slug: str
    description: str = ""
    visibility: Visibility = "private"
    starred: bool = False  # by its owner, the only one who can star it here
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    cloned_from: str | None = None
    created_at: float
    updated_at: float


class DatasetImage(Record):
    file: str
    blob_id: str
    width: int
    height: int
    split: Literal["train", "val", "test"] = "train"
    annotations: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)  # the user's own fields (location, camera, ...)

    @property
    def labeled(self) -> bool:
        """At least one box: what "labeled" means everywhere (split counts, filters,
        auto-annotation's to-do list, the dashboard)."""
        return bool(self.annotations.get("boxes"))


class DatasetVersion(Record):
    """An immutable snapshot of a dataset's images, labels and classes."""

    number: int
    description: str = ""
    images: list[DatasetImage]
    class_names: list[str]
    created_at: float


class IngestRun(Record):
    """The last archive ingested into a dataset: what it added, skipped, or why it failed."""

    job_id: str
    upload_id: str
    target_split: Literal["train", "val", "test"] | None = None  # all images to this split
    conflict_policy: Literal["skip", "keep_both", "replace"] = "skip"  # an image name already there
    added: int = 0
    errors: int = 0
    skipped: dict[str, int] = Field(default_factory=dict)
    error: str | None = None
    started_at: float
    finished_at: float | None = None


class Dataset(Owned):
    kind: Literal["dataset"] = "dataset"
    name: str
    slug: str
    task: str
    description: str = ""
    class_names: list[str] = Field(default_factory=list)
    images: list[DatasetImage] = Field(default_factory=list)
    visibility: Visibility = "private"
    version: int = 1
    status: Literal["ready", "processing", "failed"] = "ready"
    starred: bool = False
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    versions: list[DatasetVersion] = Field(default_factory=list)
    last_ingest: IngestRun | None = None
    created_at: float
    updated_at: float


class UploadSession(Record):
    """A signed upload: opened, then the bytes PUT to its URL, then completed."""

    id: str
    account_id: str
    asset_type: Literal["datasets", "models"]
    asset_id: str
    filename: str
    content_type: str
    total_bytes: int
    blob_id: str | None = None
    completed: bool = False
    created_at: float
    expires_at: float


class ModelFile(Record):
    name: str
    blob_id: str
    size: int
    format: str


class Model(Owned):
    kind: Literal["model"] = "model"
    project_id: str
    name: str
    slug: str
    task: str = "detect"
    status: str = "ready"
    source: Literal["upload", "training", "sdk", "scenario"] = "upload"
    file: ModelFile | None = None
    class_names: list[str] = Field(default_factory=list)
    metrics: dict[str, float] = Field(default_factory=dict)
    dataset_id: str | None = None
    description: str = ""
    starred: bool = False
    metadata: dict[str, Any] = Field(default_factory=dict)
    cloned_from: str | None = None
    created_at: float
    updated_at: float


class ActivityEvent(Record):
    id: str
    account_id: str
    type: str
    message: str
    resource_type: str | None = None
    resource_id: str | None = None
    created_at: float
    seen: bool = False
    archived: bool = False


class DeploymentLog(Record):
    at: float
    severity: Literal["info", "warning", "error"]
    message: str


class ServedRequest(Record):
    """One prediction a deployment served (or failed): what its metrics are drawn from."""

    at: float
    latency_ms: float
    ok: bool


class Deployment(Owned):
    kind: Literal["deployment"] = "deployment"
    model_id: str
    name: str
    slug: str
    region: str
    min_instances: int
    max_instances: int
    status: Literal["creating", "deploying", "running", "stopping", "stopped", "failed"] = "creating"
    instances: int = 0
    requests: int = 0
    errors: int = 0
    latencies: list[float] = Field(default_factory=list)
    logs: list[DeploymentLog] = Field(default_factory=list)
    served: list[ServedRequest] = Field(default_factory=list)
    running_since: float | None = None
    deployed_at: float | None = None  # first time it was running
    cpu: int = 1
    memory_gi: int = 2
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: float
    updated_at: float


Trashable = Project | Dataset | Model | Deployment


class TrashItem(Record):
    id: str
    account_id: str
    type: Literal["project", "dataset", "model", "deployment"]
    name: str
    deleted_at: float
    expires_at: float
    entity: Trashable = Field(discriminator="kind")
    # A project takes its models to the trash with it and brings them back on restore.
    children: list[Model] = Field(default_factory=list)


class Payment(Record):
    id: str
    account_id: str
    kind: Literal["topup", "subscription"]
    amount: int
    currency: str = "usd"
    status: Literal["succeeded", "refunded"] = "succeeded"
    description: str
    checkout_id: str
    created_at: float


class GdprExport(Owned):
    """A download of an account's data: served until it expires, then freed."""

    kind: Literal["gdpr_export"] = "gdpr_export"
    blob_id: str
    file_name: str
    expires_at: float


class CheckoutSession(Record):
    id: str
    account_id: str
    kind: Literal["topup", "subscription", "portal"]
    amount_usd: int = 0
    status: Literal["open", "complete", "expired"] = "open"
    created_at: float
    expires_at: float


# -- lifecycles on the clock: training, exports, deployments, webhooks ---------


class Training(Record):
    id: str
    account_id: str
    model_id: str
    dataset_id: str
    status: Literal["queued", "starting", "running", "completed", "failed", "cancelled"] = "queued"
    epochs: int
    image_size: int
    gpu_type: str
    image_count: int
    epoch_seconds: float
    epoch_cost: int
    estimated_cost: int
    reserved: int = 0
    cost_so_far: int = 0
    current_epoch: int = 0
    history: list[dict[str, float]] = Field(default_factory=list)
    error: str | None = None
    previous_model_status: str = "ready"
    fail_at_epoch: int | None = None
    fail_error: str | None = None
    created_at: float
    started_at: float | None = None
    epoch_started_at: float | None = None
    finished_at: float | None = None
    # "sdk": a run on the user's own machine, reported by the `ultralytics` package
    # (domain/sdk_runs.py); it moves on those reports, never on the clock, and costs nothing.
    source: Literal["platform", "sdk"] = "platform"
    run_id: int | None = None
    console: list[str] = Field(default_factory=list)
    train_args: dict[str, Any] = Field(default_factory=dict)  # as the caller gave them (model, batch, ...)


class Export(Record):
    id: str
    account_id: str
    model_id: str
    model_name: str
    format: str
    status: Literal["queued", "running", "completed", "failed", "cancelled"] = "queued"
    file_name: str
    args: dict[str, Any] = Field(default_factory=dict)  # export options as the caller gave them
    gpu_type: str | None = None  # the GPU a TensorRT engine is built for
    blob_id: str | None = None
    size: int = 0
    error: str | None = None
    created_at: float
    started_at: float | None = None
    completed_at: float | None = None


class WebhookEndpoint(Record):
    id: str
    account_id: str
    url: str
    events: list[str] | None = None
    secret: str
    created_at: float


class WebhookAttempt(Record):
    at: float
    wall_time: float
    status_code: int | None = None
    error: str | None = None
    duration_ms: int = 0


class WebhookDelivery(Record):
    id: str
    account_id: str
    endpoint_id: str
    url: str
    message_id: str
    type: str
    payload: dict[str, Any]
    body: str
    status: Literal["pending", "retrying", "delivered", "failed"] = "pending"
    attempts: list[WebhookAttempt] = Field(default_factory=list)
    next_attempt_at: float
    created_at: float
