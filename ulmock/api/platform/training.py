"""Training: GPU capacity, cloud runs, a model's run, and the SDK's own reports.

Cloud runs (`POST /api/training/start`) and runs on the user's machine (the
`ultralytics` package's `/api/webhooks/...` callbacks) are the same domain record, so
`GET .../{model}/training` shows either. Model ids in bodies are the face's 24-hex ids.
"""

from __future__ import annotations

import math
import re
from typing import Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api import sdk_reports
from ulmock.api.files import signed_urls
from ulmock.api.inputs import Body, CheckpointUploadRequest, JsonInt, TrainingReport
from ulmock.api.operations import Call
from ulmock.api.platform.access import by_public_id, check_owner, check_slug, missing, model_at
from ulmock.api.platform.ids import HEX_ID, public_id
from ulmock.api.platform.money import MICRO_PER_CENT, cents
from ulmock.api.platform.refusals import live_statuses
from ulmock.api.platform.routes import ACTION, CONFLICTING, WRITE, PlatformRoutes, ok
from ulmock.api.platform.status import last_training
from ulmock.api.platform.vocabulary import CloudGpu
from ulmock.domain.capacity import Stock, gpu_stock
from ulmock.domain.catalogue import GPUS
from ulmock.domain.clock import iso
from ulmock.domain.entities import Dataset, Model, Training
from ulmock.domain.errors import Conflict, ValidationError
from ulmock.domain.gpu_pricing import gpu_price
from ulmock.domain.training import Progress

routes = PlatformRoutes("Training")
DATA_URI = re.compile(r"^ul://([^/]+)/datasets/([^/]+)$")
JobStatus = Literal["pending", "untrained", "starting", "running", "completed", "failed", "cancelled"]
# The domain queues a run before it starts; the contract calls both "starting".
JOB_STATUS: dict[str, JobStatus] = {
    "queued": "starting",
    "starting": "starting",
    "running": "running",
    "completed": "completed",
    "failed": "failed",
    "cancelled": "cancelled",
}
WORDS = {"pcie": "PCIe", "sxm": "SXM", "nvl": "NVL", "ada": "Ada", "pro": "PRO"}

GpuAvailability = dict[str, Stock | None]


class EstimatedCost(TypedDict):
    pricePerHour: float
    gpuMemoryGb: float


class TrainingBilling(TypedDict):
    estimatedCostCents: int
    estimatedCostDisplay: str
    balanceCents: int


class TrainingStarted(TypedDict):
    modelId: str
    status: Literal["starting"]
    gpuType: str
    estimatedCost: EstimatedCost
    billing: TrainingBilling


class JobProgress(TypedDict):
    currentEpoch: int
    totalEpochs: int
    startedAt: NotRequired[str]
    completedAt: NotRequired[str]
    percentage: float


class JobTiming(TypedDict):
    elapsedMs: int
    timePerEpochMs: int
    etaMs: int


class JobCompute(TypedDict):
    gpuType: str
    gpuDisplayName: str
    gpuMemoryGb: int


class JobTrainArgs(TypedDict):
    model: NotRequired[str]
    epochs: NotRequired[int]
    batch: NotRequired[int]
    imgsz: NotRequired[int]


class JobError(TypedDict):
    message: str
    code: NotRequired[str]
    timestamp: str


class TrainingJob(TypedDict):
    id: str
    status: JobStatus
    progress: JobProgress
    timing: JobTiming
    compute: JobCompute | None
    trainArgs: JobTrainArgs | None
    epochMetrics: dict[str, float] | None
    error: JobError | None
    createdAt: str
    updatedAt: str


class TrainingProgress(TypedDict):
    job: TrainingJob | None


class TrainingCancelled(TypedDict):
    success: Literal[True]
    status: Literal["cancelled"]
    warning: NotRequired[str]


class TrainingReportAnswer(TypedDict):
    received: Literal[True]
    event: str
    mode: Literal["cloud", "remote"]
    modelId: str
    runId: int
    modelSlug: str
    modelUrl: str
    cancelled: bool


class CheckpointUpload(TypedDict):
    uploadUrl: str
    gcsPath: str
    uploadPath: str
    modelId: str


class GpuQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    managed: Literal["true", "false"] = Field("false", description="Include managed training capacity")


class TrainArgs(Body):
    """YOLO training arguments: these are checked, any other is kept as given."""

    model_config = ConfigDict(strict=True, extra="allow")
    model: str = Field(min_length=1, max_length=200, description="Weights or YAML to start from")
    data: str = Field(min_length=1, max_length=300, pattern=DATA_URI.pattern, description="ul://owner/datasets/slug")
    epochs: JsonInt = Field(ge=1, le=1000)
    imgsz: JsonInt = Field(640, ge=32, le=2048, multiple_of=32)
    batch: JsonInt | None = Field(None, ge=-1, le=1024)


class StartTraining(Body):
    modelId: str = Field(pattern=HEX_ID.pattern, description="The model's 24-hex id")
    trainArgs: TrainArgs
    gpuType: CloudGpu = "rtx-4090"
    captureDatasetVersion: bool = False


# -- finding what the bodies name ------------------------------------------------------


def model_by_id(call: Call, ident: str) -> Model:
    """The caller's model with this 24-hex id; anything else is 404."""
    found: Model | None = by_public_id(call, "model", ident)
    if found is None:
        raise missing("model")
    return found


def dataset_by_uri(call: Call, uri: str) -> Dataset:
    """`ul://owner/datasets/slug`: the caller's own dataset (training reads private data)."""
    match = DATA_URI.match(uri)
    if match is None:
        raise ValidationError("trainArgs.data must be ul://owner/datasets/slug", {"data": uri[:300]})
    owner, slug = check_owner(match[1]), check_slug(match[2], "dataset")
    found = call.platform.datasets.by_slug(call.account, slug) if owner == call.account.username else None
    if found is None:
        raise missing("dataset")
    return found


def domain_model_id(call: Call, ident: str | None) -> str | None:
    return model_by_id(call, ident).id if ident else None


# -- views ---------------------------------------------------------------------------------


def gpu_display_name(gpu_type: str) -> str:
    """`a100-80gb-pcie` -> `NVIDIA A100 80GB PCIe`."""
    return "NVIDIA " + " ".join(WORDS.get(part, part.upper()) for part in gpu_type.split("-"))


def job_view(t: Training, progress: Progress) -> TrainingJob:
    steps = JobProgress(currentEpoch=t.current_epoch, totalEpochs=t.epochs, percentage=progress.percentage)
    if t.started_at is not None:
        steps["startedAt"] = iso(t.started_at)
    if t.status == "completed" and t.finished_at is not None:
        steps["completedAt"] = iso(t.finished_at)
    args = JobTrainArgs(epochs=t.epochs, imgsz=t.image_size)
    weights, batch = t.train_args.get("model"), t.train_args.get("batch")
    if isinstance(weights, str):
        args["model"] = weights
    if isinstance(batch, int) and not isinstance(batch, bool):
        args["batch"] = batch
    error = None
    if t.error:
        error = JobError(
            message=t.error,
            code=f"TRAINING_{t.status.upper()}",
            timestamp=iso(t.finished_at if t.finished_at is not None else t.created_at),
        )
    latest = t.history[-1] if t.history else None
    moved = [x for x in (t.finished_at, t.epoch_started_at, t.started_at) if x is not None]
    return TrainingJob(
        id=public_id(t.id),
        status=JOB_STATUS[t.status],
        progress=steps,
        timing=JobTiming(
            elapsedMs=progress.elapsed_ms, timePerEpochMs=round(t.epoch_seconds * 1000), etaMs=progress.eta_ms
        ),
        # A run on the user's machine names its device, not a cloud GPU.
        compute=JobCompute(
            gpuType=t.gpu_type, gpuDisplayName=gpu_display_name(t.gpu_type), gpuMemoryGb=GPUS[t.gpu_type].memory_gb
        )
        if t.gpu_type in GPUS
        else None,
        trainArgs=args,
        epochMetrics=dict(latest) if latest else None,
        error=error,
        createdAt=iso(t.created_at),
        updatedAt=iso(max(moved, default=t.created_at)),
    )


# -- operations ---------------------------------------------------------------------------


@routes.get("/api/training/gpu-availability", query=GpuQuery, response=GpuAvailability, errors=(400, 401, 429))
def gpu_availability(call: Call) -> Response:
    """Stock of each cloud GPU this hour: High, Medium, Low, or null when unknown."""
    w = call.platform.world
    return ok(gpu_stock(w.seed, w.now()))


@routes.post(
    "/api/training/start",
    body=StartTraining,
    response=TrainingStarted,
    category="training",
    errors=(400, 401, 402, 403, 404, 409, 429),
)
def start_training(call: Call) -> Response:
    """Train a model on a cloud GPU; the estimated cost is reserved from the balance."""
    b, p = call.body, call.platform
    model = model_by_id(call, b.modelId)
    dataset = dataset_by_uri(call, b.trainArgs.data)
    args = b.trainArgs.model_dump(exclude_none=True)
    with live_statuses():
        training = p.trainings.start(
            call.account, model.id, dataset.id, b.trainArgs.epochs, b.trainArgs.imgsz, b.gpuType, train_args=args
        )
    account = call.account
    estimate = math.ceil(training.estimated_cost / MICRO_PER_CENT)  # an estimate rounds up, to the cent
    return ok(
        TrainingStarted(
            modelId=public_id(model.id),
            status="starting",
            gpuType=training.gpu_type,
            estimatedCost=EstimatedCost(
                pricePerHour=gpu_price(training.gpu_type), gpuMemoryGb=GPUS[training.gpu_type].memory_gb
            ),
            billing=TrainingBilling(
                estimatedCostCents=estimate,
                estimatedCostDisplay=f"${estimate / 100:.2f}",
                balanceCents=cents(account.cash_balance + account.credit_balance),
            ),
        )
    )


@routes.get("/api/models/{owner}/{project}/{model}/training", response=TrainingProgress)
def model_training(call: Call) -> Response:
    """The model's latest run (cloud or reported by the SDK): progress, timing, metrics; null if none."""
    _, model = model_at(call)
    run = last_training(call.platform.world, model)
    return ok(TrainingProgress(job=None if run is None else job_view(run, call.platform.trainings.progress(run))))


@routes.delete(
    "/api/models/{owner}/{project}/{model}/training", response=TrainingCancelled, category="training", errors=ACTION
)
def cancel_training(call: Call) -> Response:
    """Stop the model's run; GPU time used so far is charged, the rest released."""
    _, model = model_at(call)
    current = last_training(call.platform.world, model)
    if current is None:
        raise Conflict("This model has no training to cancel")
    already = current.status == "cancelled"
    with live_statuses():
        call.platform.trainings.cancel(call.account, model.id)
    answer = TrainingCancelled(success=True, status="cancelled")
    if already:
        answer["warning"] = "The training was already cancelled"
    return ok(answer)


@routes.post(
    "/api/webhooks/training/metrics",
    body=TrainingReport,
    response=TrainingReportAnswer,
    max_body=sdk_reports.REPORT_BODY_LIMIT,
    errors=CONFLICTING,
)
def report_training(call: Call) -> Response:
    """A training event from the user's machine; `training_started` creates the model (and project)."""
    with live_statuses():
        reported = sdk_reports.pass_on(call, domain_model_id(call, call.body.modelId))
    report, model = reported.report, reported.report.model
    return ok(
        TrainingReportAnswer(
            received=True,
            event=call.body.event,
            mode="remote",
            modelId=public_id(model.id),
            runId=report.training.run_id or 0,
            modelSlug=model.slug,
            modelUrl=reported.model_page,
            cancelled=report.cancelled,
        )
    )


@routes.post("/api/webhooks/models/upload", body=CheckpointUploadRequest, response=CheckpointUpload, errors=WRITE)
def checkpoint_upload(call: Call) -> Response:
    """A signed URL to PUT a training checkpoint to (`application/octet-stream`, no API key)."""
    b = call.body
    target = call.platform.sdk_uploads.upload_target(
        call.account, b.filename, domain_model_id(call, b.modelId), b.runId, b.project, b.name, b.size
    )
    return ok(
        CheckpointUpload(
            uploadUrl=signed_urls.url(call.platform.world.signer, target.upload, call.base_url),
            gcsPath=target.gcs_path,
            uploadPath=signed_urls.path(target.upload.blob),
            modelId=public_id(target.model.id),
        )
    )
