"""What the API shows of each record: response models (the OpenAPI spec) and builders.

Builders return plain dicts shaped exactly like the models; the contract tests check
every response against these models through the published schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ulmock.domain.clock import iso
from ulmock.domain.billing import Balance
from ulmock.domain.catalogue import SCOPES, PlanName
from ulmock.domain.deployments import Metrics
from ulmock.domain.training import Progress
from ulmock.domain.entities import (
    Account,
    ActivityEvent,
    ApiKey,
    CheckoutSession,
    Dataset,
    Model,
    ModelFile,
    Payment,
    Project,
    TrashItem,
)
from ulmock.domain.signing import SignedPath
from ulmock.domain.storage import StorageUsage


class View(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SplitCounts(View):
    train: int
    val: int
    test: int


class DatasetView(View):
    id: str
    name: str
    slug: str
    task: str
    description: str
    imageCount: int
    classCount: int
    classNames: list[str]
    splits: SplitCounts
    visibility: Literal["private", "public"]
    owner: str
    createdAt: str
    updatedAt: str


def dataset_view(d: Dataset, owner: str) -> dict[str, Any]:
    # Twenty of these make a list page, its largest cost: the fields are read from the
    # record's own dict (where pydantic keeps them), a lookup each instead of an attribute.
    fields = vars(d)
    images, class_names = fields["images"], fields["class_names"]
    splits = {"train": 0, "val": 0, "test": 0}
    for image in images:
        splits[image.split] += 1
    return {
        "id": fields["id"],
        "name": fields["name"],
        "slug": fields["slug"],
        "task": fields["task"],
        "description": fields["description"],
        "imageCount": len(images),
        "classCount": len(class_names),
        "classNames": class_names,
        "splits": splits,
        "visibility": fields["visibility"],
        "owner": owner,
        "createdAt": iso(fields["created_at"]),
        "updatedAt": iso(fields["updated_at"]),
    }


class DatasetExportView(View):
    datasetId: str
    format: Literal["ndjson"]
    downloadUrl: str
    expiresAt: str
    imageCount: int


def dataset_export_view(d: Dataset, signed: SignedPath, base_url: str) -> dict[str, Any]:
    return {
        "datasetId": d.id,
        "format": "ndjson",
        "downloadUrl": signed.absolute(base_url),
        "expiresAt": iso(signed.expires_at),
        "imageCount": len(d.images),
    }


class ProjectView(View):
    id: str
    name: str
    slug: str
    description: str
    modelCount: int
    createdAt: str
    updatedAt: str


def project_view(p: Project, model_count: int) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "slug": p.slug,
        "description": p.description,
        "modelCount": model_count,
        "createdAt": iso(p.created_at),
        "updatedAt": iso(p.updated_at),
    }


class ModelFileInfoView(View):
    name: str
    size: int
    format: str


class ModelView(View):
    id: str
    name: str
    slug: str
    projectId: str
    task: str
    status: str
    source: str
    classNames: list[str]
    metrics: dict[str, float]
    file: ModelFileInfoView | None
    datasetId: str | None
    createdAt: str
    updatedAt: str


def model_view(m: Model) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "slug": m.slug,
        "projectId": m.project_id,
        "task": m.task,
        "status": m.status,
        "source": m.source,
        "classNames": m.class_names,
        "metrics": m.metrics,
        "file": {"name": m.file.name, "size": m.file.size, "format": m.file.format} if m.file else None,
        "datasetId": m.dataset_id,
        "createdAt": iso(m.created_at),
        "updatedAt": iso(m.updated_at),
    }


class ModelFileView(View):
    name: str
    size: int
    format: str
    downloadUrl: str
    expiresAt: str


class ModelFilesView(View):
    modelId: str
    files: list[ModelFileView]


def model_files_view(m: Model, files: Sequence[tuple[ModelFile, SignedPath]], base_url: str) -> dict[str, Any]:
    return {
        "modelId": m.id,
        "files": [
            {
                "name": f.name,
                "size": f.size,
                "format": f.format,
                "downloadUrl": s.absolute(base_url),
                "expiresAt": iso(s.expires_at),
            }
            for f, s in files
        ],
    }


class DeletedView(View):
    id: str
    deleted: bool


class TrashedView(View):
    id: str
    deleted: bool
    trashExpiresAt: str


def trashed_view(item: TrashItem) -> dict[str, Any]:
    return {"id": item.id, "deleted": True, "trashExpiresAt": iso(item.expires_at)}


class ActivityView(View):
    id: str
    type: str
    message: str
    resourceType: str | None
    resourceId: str | None
    createdAt: str
    seen: bool
    archived: bool


def activity_view(e: ActivityEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "type": e.type,
        "message": e.message,
        "resourceType": e.resource_type,
        "resourceId": e.resource_id,
        "createdAt": iso(e.created_at),
        "seen": e.seen,
        "archived": e.archived,
    }


class UpdatedView(View):
    updated: int


class TrashItemView(View):
    id: str
    type: Literal["project", "dataset", "model", "deployment"]
    name: str
    deletedAt: str
    expiresAt: str
    childCount: int


def trash_item_view(t: TrashItem) -> dict[str, Any]:
    return {
        "id": t.id,
        "type": t.type,
        "name": t.name,
        "deletedAt": iso(t.deleted_at),
        "expiresAt": iso(t.expires_at),
        "childCount": len(t.children),
    }


class RestoredView(View):
    id: str
    type: str
    restored: bool


class EmptiedView(View):
    deleted: int


class BalanceView(View):
    cashBalance: int
    creditBalance: int
    reservedAmount: int
    totalBalance: int
    availableBalance: int


def balance_view(b: Balance) -> dict[str, int]:
    return {"cashBalance": b.cash, "creditBalance": b.credit, "reservedAmount": b.reserved,
            "totalBalance": b.total, "availableBalance": b.available}  # fmt: skip


class PlanLimitsView(View):
    requestsPerMinute: int
    requestsPerDay: int
    models: int
    concurrentTrainings: int
    deployments: int
    storageBytes: int
    webhooks: bool


class UsageView(View):
    models: int
    activeTrainings: int
    deployments: int
    storageBytes: int
    requestsThisMinute: int
    requestsToday: int


class UsageSummaryView(View):
    plan: PlanName
    limits: PlanLimitsView
    usage: UsageView
    balance: BalanceView


class CheckoutView(View):
    sessionId: str
    url: str
    amount: int
    expiresAt: str


def checkout_view(s: CheckoutSession, base_url: str) -> dict[str, Any]:
    return {
        "sessionId": s.id,
        "url": f"{base_url.rstrip('/')}/billing/checkout/{s.id}",
        "amount": s.amount_usd,
        "expiresAt": iso(s.expires_at),
    }


class PortalView(View):
    url: str


class PaymentView(View):
    id: str
    type: Literal["topup", "subscription"]
    amount: int
    currency: str
    status: str
    description: str
    createdAt: str


def payment_view(p: Payment) -> dict[str, Any]:
    return {
        "id": p.id,
        "type": p.kind,
        "amount": p.amount,
        "currency": p.currency,
        "status": p.status,
        "description": p.description,
        "createdAt": iso(p.created_at),
    }


class StorageBreakdownView(View):
    models: int
    datasets: int
    trash: int
    exports: int


class StorageView(View):
    used: int
    limit: int
    percentage: float
    breakdown: StorageBreakdownView


def storage_view(u: StorageUsage) -> dict[str, Any]:
    return {
        "used": u.used,
        "limit": u.limit,
        "percentage": u.percentage,
        "breakdown": {"models": u.models, "datasets": u.datasets, "trash": u.trash, "exports": u.exports},
    }


class GdprExportView(View):
    action: Literal["export"]
    downloadUrl: str
    expiresAt: str


class GdprDeleteView(View):
    action: Literal["delete"]
    deleted: bool


class ApiKeyView(View):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    createdAt: str
    lastUsedAt: str | None


class CreatedApiKeyView(ApiKeyView):
    key: str


def api_key_view(k: ApiKey, *, reveal: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": k.id,
        "name": k.name,
        "prefix": k.secret[:11],
        "scopes": list(k.scopes) if k.scopes is not None else list(SCOPES),
        "createdAt": iso(k.created_at),
        "lastUsedAt": iso(k.last_used_at) if k.last_used_at is not None else None,
    }
    if reveal:
        view["key"] = k.secret
    return view


class AccountSummaryView(View):
    id: str
    username: str
    email: str
    plan: PlanName
    balance: BalanceView
    createdAt: str


def account_summary_view(a: Account, balance: dict[str, int]) -> dict[str, Any]:
    return {
        "id": a.id,
        "username": a.username,
        "email": a.email,
        "plan": a.plan,
        "balance": balance,
        "createdAt": iso(a.created_at),
    }


# -- training, exports, deployments ---------------------------------------------------


class TrainingView(View):
    id: str
    modelId: str
    datasetId: str
    status: Literal["queued", "starting", "running", "completed", "failed", "cancelled"]
    currentEpoch: int
    totalEpochs: int
    percentage: float
    imageSize: int
    gpuType: str
    createdAt: str
    startedAt: str | None
    completedAt: str | None
    elapsedMs: int
    etaMs: int
    epochs: list[dict[str, float]]
    costSoFar: int
    estimatedCost: int
    reservedAmount: int
    error: str | None


def training_view(t: Any, progress: Progress) -> dict[str, Any]:
    return {
        "id": t.id,
        "modelId": t.model_id,
        "datasetId": t.dataset_id,
        "status": t.status,
        "currentEpoch": t.current_epoch,
        "totalEpochs": t.epochs,
        "percentage": progress.percentage,
        "imageSize": t.image_size,
        "gpuType": t.gpu_type,
        "createdAt": iso(t.created_at),
        "startedAt": iso(t.started_at) if t.started_at is not None else None,
        "completedAt": iso(t.finished_at) if t.finished_at is not None else None,
        "elapsedMs": progress.elapsed_ms,
        "etaMs": progress.eta_ms,
        "epochs": [{**e, "epoch": int(e["epoch"])} for e in t.history],
        "costSoFar": t.cost_so_far,
        "estimatedCost": t.estimated_cost,
        "reservedAmount": t.reserved,
        "error": t.error,
    }


class ExportView(View):
    id: str
    modelId: str
    format: str
    status: Literal["queued", "running", "completed", "failed"]
    fileName: str
    size: int | None
    downloadUrl: str | None
    expiresAt: str | None
    error: str | None
    createdAt: str
    completedAt: str | None


def export_view(e: Any, signed: SignedPath | None, base_url: str) -> dict[str, Any]:
    return {
        "id": e.id,
        "modelId": e.model_id,
        "format": e.format,
        "status": e.status,
        "fileName": e.file_name,
        "size": e.size if e.blob_id else None,
        "downloadUrl": signed.absolute(base_url) if signed else None,
        "expiresAt": iso(signed.expires_at) if signed else None,
        "error": e.error,
        "createdAt": iso(e.created_at),
        "completedAt": iso(e.completed_at) if e.completed_at is not None else None,
    }


class DeploymentView(View):
    id: str
    modelId: str
    name: str
    region: str
    status: Literal["creating", "deploying", "running", "stopping", "stopped", "failed"]
    minInstances: int
    maxInstances: int
    instances: int
    url: str | None
    createdAt: str
    updatedAt: str


def deployment_view(d: Any, base_url: str) -> dict[str, Any]:
    return {
        "id": d.id,
        "modelId": d.model_id,
        "name": d.name,
        "region": d.region,
        "status": d.status,
        "minInstances": d.min_instances,
        "maxInstances": d.max_instances,
        "instances": d.instances,
        "url": f"{base_url.rstrip('/')}/deployments/{d.id}/predict" if d.status == "running" else None,
        "createdAt": iso(d.created_at),
        "updatedAt": iso(d.updated_at),
    }


class LatencyView(View):
    p50: float | None
    p95: float | None
    p99: float | None


class InstancesView(View):
    current: int
    min: int
    max: int


class DeploymentMetricsView(View):
    deploymentId: str
    status: str
    requests: int
    errors: int
    errorRate: float
    latencyMs: LatencyView
    instances: InstancesView
    uptimeMs: int


def deployment_metrics_view(m: Metrics) -> dict[str, Any]:
    d = m.deployment
    return {
        "deploymentId": d.id,
        "status": d.status,
        "requests": d.requests,
        "errors": d.errors,
        "errorRate": m.error_rate,
        "latencyMs": {"p50": m.p50, "p95": m.p95, "p99": m.p99},
        "instances": {"current": d.instances, "min": d.min_instances, "max": d.max_instances},
        "uptimeMs": m.uptime_ms,
    }


class DeploymentLogView(View):
    timestamp: str
    severity: Literal["info", "warning", "error"]
    message: str


def deployment_log_view(log: Any) -> dict[str, Any]:
    return {"timestamp": iso(log.at), "severity": log.severity, "message": log.message}


# -- answers to the `ultralytics` package (resources/sdk.py) ---------------------------
class TrainingReportView(View):
    received: Literal[True]
    event: str
    modelId: str
    modelSlug: str
    modelUrl: str
    runId: int
    cancelled: bool


class CheckpointUploadView(View):
    uploadUrl: str
    gcsPath: str
    uploadPath: str
    modelId: str
    expiresAt: str
