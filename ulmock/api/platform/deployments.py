"""Deployments by owner and slug: create, inspect, start/stop/replace, health, logs, metrics, predict.

The domain's lifecycle (creating -> deploying -> running; stopping -> stopped) shows
here with the contract's names (`running` is `ready`). `PATCH {action}` answers 200 when
the deployment is already where it was sent, 202 while it moves there. Each deployment
has a `serviceUrl` (`ulmock.api.platform.service`) whose `/predict` answers like
`deployments.predict`, outside the rate limit.
"""

from __future__ import annotations

import io
import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response
from typing_extensions import NotRequired, TypedDict

from ulmock.api.platform.access import check_slug, missing, owner_of
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.predict import PredictAnswer, answer, read_form
from ulmock.api.platform.refusals import live_statuses
from ulmock.api.platform.routes import PlatformRoutes, ok
from ulmock.domain.clock import iso
from ulmock.domain.deployments import percentile, traffic
from ulmock.domain.entities import Deployment, Model
from ulmock.domain.ids import slugify
from ulmock.domain.errors import ApiError, ValidationError
from ulmock.api.reference.predict import infer
from ulmock.api.routing import Call
from ulmock.api.schemas import Body

routes = PlatformRoutes("Deployments")
Region = Literal["us", "eu", "ap"]
Status = Literal["creating", "deploying", "ready", "stopping", "stopped", "failed"]
STATUS: dict[str, Status] = {"creating": "creating", "deploying": "deploying", "running": "ready",
                             "stopping": "stopping", "stopped": "stopped", "failed": "failed"}  # fmt: skip
DOMAIN_STATUS = {live: domain for domain, live in STATUS.items()}
GcpRegion = Literal[
    "asia-east1", "asia-northeast1", "asia-northeast2", "asia-south1", "asia-southeast3", "europe-north1",
    "europe-north2", "europe-southwest1", "europe-west1", "europe-west4", "europe-west8", "europe-west9", "me-west1",
    "northamerica-south1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "africa-south1",
    "asia-east2", "asia-northeast3", "asia-southeast1", "asia-southeast2", "asia-south2", "australia-southeast1",
    "australia-southeast2", "europe-central2", "europe-west10", "europe-west12", "europe-west2", "europe-west3",
    "europe-west6", "me-central1", "northamerica-northeast1", "northamerica-northeast2", "southamerica-east1",
    "southamerica-west1", "us-west2", "us-west3", "us-west4",
]  # fmt: skip
Cpu = Literal[1, 2, 4, 6, 8]
MemoryGi = Literal[2, 4, 8, 16, 24, 32]
Severity = Literal["DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY"]
SEVERITY: dict[str, Severity] = {"info": "INFO", "warning": "WARNING", "error": "ERROR"}
# range: (seconds, buckets)
RANGES: dict[str, tuple[float, int]] = {"1h": (3600, 12), "6h": (6 * 3600, 12), "24h": (86400, 24),
                                        "7d": (7 * 86400, 28), "30d": (30 * 86400, 30)}  # fmt: skip
SERVER_MEMORY = 350 * 1024 * 1024  # the model server itself, before the weights
GIB = 1024**3


class Resources(TypedDict):
    cpu: int
    memoryGi: int
    minInstances: int
    maxInstances: int


class DeploymentItem(TypedDict):
    id: str
    owner: str
    project: NotRequired[str]
    model: NotRequired[str]
    task: NotRequired[Literal["detect", "segment", "semantic", "depth", "classify", "pose", "obb"]]
    deployment: str
    name: str
    status: Status
    statusMessage: NotRequired[str]
    region: str
    serviceUrl: NotRequired[str]
    resources: Resources
    metered: NotRequired[bool]
    deployedAt: NotRequired[str]
    createdAt: str
    updatedAt: str


class DeploymentDetailItem(DeploymentItem):
    metadata: dict[str, Any]


class DeploymentList(TypedDict):
    deployments: list[DeploymentItem]
    total: int
    region: Region


class DeploymentDetail(TypedDict):
    deployment: DeploymentDetailItem
    region: Region


class DeploymentCreated(TypedDict):
    id: str
    deployment: str
    status: Literal["creating"]
    message: str
    region: str


class DeploymentUpdated(TypedDict):
    success: Literal[True]
    status: Status
    message: str
    deployment: NotRequired[str]


class DeploymentDeleted(TypedDict):
    success: Literal[True]


class Health(TypedDict):
    healthy: bool
    status: NotRequired[int]
    latencyMs: float
    error: NotRequired[str]


class LogEntry(TypedDict):
    timestamp: str
    severity: Severity
    message: str


class Logs(TypedDict):
    entries: list[LogEntry]
    nextPageToken: NotRequired[str]


class TimeRange(TypedDict):
    start: str
    end: str


class Point(TypedDict):
    timestamp: str
    value: float


class Summary(TypedDict):
    totalRequests: int
    errorCount: int
    errorRate: float
    avgLatencyMs: float
    p50LatencyMs: float
    p95LatencyMs: float
    p99LatencyMs: float


class Series(TypedDict):
    requests: list[Point]
    errors: list[Point]
    latencyP50: list[Point]
    latencyP95: list[Point]
    cpuUtilization: list[Point]
    memoryUtilization: list[Point]
    instanceCount: list[Point]


class Metrics(TypedDict):
    deploymentId: str
    region: str
    timeRange: TimeRange
    summary: Summary
    timeSeries: Series


class OverviewSummary(TypedDict):
    totalRequests: int
    errorRate: float
    p95LatencyMs: float


class OverviewSeries(TypedDict):
    requests: list[Point]
    errors: list[Point]
    latencyP95: list[Point]


class OverviewMetrics(TypedDict):
    deploymentId: str
    region: str
    timeRange: TimeRange
    summary: OverviewSummary
    timeSeries: OverviewSeries


class Sparkline(TypedDict):
    requests24h: list[int]
    totalRequests: int
    errorRate: float
    avgLatencyMs: float


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    status: Status | None = None
    model: str | None = Field(None, max_length=260, description="project/model")
    limit: int = Field(20, ge=1, le=100)


class LogsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    severity: str | None = Field(None, max_length=200, description="Comma-separated severities, e.g. ERROR,WARNING")
    limit: int = Field(50, ge=1, le=1000)
    pageToken: str | None = Field(None, max_length=20, pattern=r"^\d+$")


class MetricsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    range: Literal["1h", "6h", "24h", "7d", "30d"] = "24h"
    sparkline: Literal["true", "false"] = "false"
    view: Literal["overview"] | None = None


class CreateDeployment(Body):
    project: str = Field(min_length=1, max_length=128)
    model: str = Field(min_length=1, max_length=128)
    deployment: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=100)
    region: GcpRegion
    cpu: Cpu = 1
    memoryGi: MemoryGi = 2


class UpdateDeployment(Body):
    """One of: {action, ...}, {name}, {metadata}."""

    action: Literal["start", "stop", "camera", "replace", "resize"] | None = None
    project: str | None = Field(None, min_length=1, max_length=128)
    model: str | None = Field(None, min_length=1, max_length=128)
    name: str | None = Field(None, min_length=1, max_length=100)
    url: str | None = Field(None, max_length=2000)
    cpu: Cpu | None = None
    memoryGi: MemoryGi | None = None
    metadata: dict[str, Any] | None = None


# -- finding and showing -------------------------------------------------------------------


def deployment_at(call: Call) -> Deployment:
    account = owner_of(call, "deployment")
    found = call.platform.deployments.by_slug(account, check_slug(call.params["deployment"], "deployment"))
    if found is None:
        raise missing("deployment")
    return found


def model_by_slugs(call: Call, project_slug: str, model_slug: str) -> Model:
    account = call.account
    project = call.platform.projects.by_slug(account, check_slug(project_slug, "project"))
    slug = check_slug(model_slug, "model")
    if project is None:
        raise missing("model")
    rows, total = call.platform.world.models(account.id).newest_first(project_id=project.id, slug=slug)
    model = next(rows, None) if total else None
    if model is None:
        raise missing("model")
    return model


def service_url(call: Call, d: Deployment) -> str:
    return f"{call.base_url}/endpoints/{public_id(d.id)}"


def deployment_item(call: Call, d: Deployment) -> DeploymentItem:
    item = DeploymentItem(
        id=public_id(d.id), owner=call.account.username, deployment=d.slug, name=d.name, status=STATUS[d.status],
        region=d.region, createdAt=iso(d.created_at), updatedAt=iso(d.updated_at), metered=True,
        resources=Resources(cpu=d.cpu, memoryGi=d.memory_gi, minInstances=d.min_instances, maxInstances=d.max_instances),
    )  # fmt: skip
    w = call.platform.world
    model: Model | None = w.models(call.account.id).get(d.model_id)
    if model is not None:
        project = w.projects(call.account.id).get(model.project_id)
        if project is not None:
            item["project"] = project.slug
        item["model"] = model.slug
        item["task"] = model.task  # type: ignore[typeddict-item]
    if d.status != "creating":  # the endpoint exists once provisioned
        item["serviceUrl"] = service_url(call, d)
    if d.logs and d.status in ("failed", "deploying", "stopping"):
        item["statusMessage"] = d.logs[-1].message
    if d.deployed_at is not None:
        item["deployedAt"] = iso(d.deployed_at)
    return item


def moved(d: Deployment, goal: str, message: str) -> Response:
    """200 when `d` is where it was sent; 202 while it is on its way."""
    status = STATUS[d.status]
    return ok(DeploymentUpdated(success=True, status=status, message=message), 200 if status == goal else 202)


# -- operations -----------------------------------------------------------------------------


@routes.get("/api/deployments/{owner}", query=ListQuery, response=DeploymentList)
def list_deployments(call: Call) -> Response:
    """The workspace's deployments, newest first; filter by status or by `project/model`."""
    account, q = owner_of(call, "deployment"), call.query
    model_id = None
    if q.model is not None:
        project_slug, _, model_slug = q.model.partition("/")
        model_id = model_by_slugs(call, project_slug, model_slug).id
    rows, _ = call.platform.world.deployments(account.id).newest_first()
    matching = [d for d in rows if (q.status is None or STATUS[d.status] == q.status)
                and (model_id is None or d.model_id == model_id)]  # fmt: skip
    return ok(DeploymentList(deployments=[deployment_item(call, d) for d in matching[: q.limit]], total=len(matching),
                             region=account.region))  # fmt: skip


@routes.post("/api/deployments/{owner}", body=CreateDeployment, response=DeploymentCreated, status=201,
             errors=(400, 401, 403, 404, 409, 429))  # fmt: skip
def create_deployment(call: Call) -> Response:
    """Serve a model from a region; it moves creating -> deploying -> ready on the clock."""
    b = call.body
    account = owner_of(call, "deployment")
    slug = check_slug(b.deployment, "deployment")
    model = model_by_slugs(call, b.project, b.model)
    d = call.platform.deployments.create(account, model.id, b.region, 0, 1, slug=slug, name=b.name, cpu=b.cpu,
                                         memory_gi=b.memoryGi)  # fmt: skip
    return ok(DeploymentCreated(id=public_id(d.id), deployment=d.slug, status="creating",
                                message=f"Deploying {b.project}/{b.model} to {b.region}", region=d.region), 201)  # fmt: skip


@routes.get("/api/deployments/{owner}/{deployment}", response=DeploymentDetail)
def get_deployment(call: Call) -> Response:
    """One deployment: status, resources, service URL and custom metadata."""
    d = deployment_at(call)
    item = DeploymentDetailItem(**deployment_item(call, d), metadata=dict(d.metadata))
    return ok(DeploymentDetail(deployment=item, region=call.account.region))


@routes.patch("/api/deployments/{owner}/{deployment}", body=UpdateDeployment, response=DeploymentUpdated,
              errors=(400, 401, 404, 409, 429))  # fmt: skip
def update_deployment(call: Call) -> Response:
    """Start, stop, resize or roll out another model (the URL stays); or rename it, or set its metadata."""
    b, deployments, account = call.body, call.platform.deployments, call.account
    d = deployment_at(call)
    with live_statuses():
        if b.action == "start":
            deployments.start(account, d.id)
            return moved(d, "ready", "Deployment is running" if d.status == "running" else "Deployment is starting")
        if b.action == "stop":
            deployments.stop(account, d.id)
            return moved(d, "stopped", "Deployment is stopped" if d.status == "stopped" else "Deployment is stopping")
        if b.action == "replace":
            if not (b.project and b.model):
                raise ValidationError("replace needs the project and model to roll out", {"model": "required"})
            deployments.replace(account, d.id, model_by_slugs(call, b.project, b.model).id)
            return moved(d, "ready" if d.status != "stopped" else "stopped", f"Rolling out {b.project}/{b.model}")
        if b.action == "resize":
            if b.cpu is None and b.memoryGi is None:
                raise ValidationError("resize needs cpu or memoryGi", {"cpu": "required"})
            deployments.resize(account, d.id, b.cpu, b.memoryGi)
            return moved(d, STATUS[d.status], f"Resized to {d.cpu} vCPU and {d.memory_gi} GiB")
        if b.action == "camera":
            raise ValidationError("Camera streams are not emulated: ulmock has no RTSP source to read", {"action": "camera"})
    if b.name is not None:
        deployments.rename(account, d.id, b.name, check_slug(slugify(b.name)[:128].strip("-") or "deployment",
                                                             "deployment"))  # fmt: skip
        answer_ = DeploymentUpdated(success=True, status=STATUS[d.status], message=f"Renamed to {d.name}",
                                    deployment=d.slug)  # fmt: skip
        return ok(answer_)
    if b.metadata is not None:
        d.metadata, d.updated_at = dict(b.metadata), call.platform.world.now()
        return ok(DeploymentUpdated(success=True, status=STATUS[d.status], message="Metadata updated"))
    raise ValidationError("Send an action, a name or metadata", {"action": "required"})


@routes.delete("/api/deployments/{owner}/{deployment}", response=DeploymentDeleted)
def delete_deployment(call: Call) -> Response:
    """Shut the endpoint down and delete it for good."""
    call.platform.deployments.remove(call.account, deployment_at(call).id)
    return ok(DeploymentDeleted(success=True))


@routes.get("/api/deployments/{owner}/{deployment}/health", response=Health)
async def deployment_health(call: Call) -> Response:
    """Ping the endpoint: a ready one runs its model once on a blank image (which also warms it)."""
    with call.emulator.lock:
        d = deployment_at(call)
        model: Model | None = call.platform.world.models(call.account.id).get(d.model_id)
        model_file = call.emulator.model_file_path(model) if model is not None else None
    if d.status == "creating":
        raise ValidationError("The deployment has no service URL yet (it is being created)", {"status": "creating"})
    if d.status != "running":
        return ok(Health(healthy=False, status=503, latencyMs=0.0, error=f"Deployment is {STATUS[d.status]}"))
    started = time.perf_counter()
    try:
        await infer(call.emulator, blank_image(), model_file, 0.99, 0.7, 64)
    except ApiError as err:
        return ok(Health(healthy=False, status=err.status, latencyMs=round((time.perf_counter() - started) * 1000, 3),
                         error=err.message))  # fmt: skip
    return ok(Health(healthy=True, status=200, latencyMs=round((time.perf_counter() - started) * 1000, 3)))


@routes.get("/api/deployments/{owner}/{deployment}/logs", query=LogsQuery, response=Logs)
def deployment_logs(call: Call) -> Response:
    """Lifecycle and serving log lines, newest first; filter by severity, page with pageToken."""
    d, q = deployment_at(call), call.query
    wanted: set[str] | None = None
    if q.severity:
        wanted = {s.strip().upper() for s in q.severity.split(",") if s.strip()}
        unknown = wanted - set(Severity.__args__)  # type: ignore[attr-defined]
        if unknown:
            raise ValidationError(f"Unknown severity {sorted(unknown)[0]}", {"severity": ", ".join(Severity.__args__)})  # type: ignore[attr-defined]
    lines = [x for x in reversed(d.logs) if wanted is None or SEVERITY[x.severity] in wanted]
    start = int(q.pageToken or 0)
    page = lines[start : start + q.limit]
    logs = Logs(entries=[LogEntry(timestamp=iso(x.at), severity=SEVERITY[x.severity], message=x.message) for x in page])
    if start + q.limit < len(lines):
        logs["nextPageToken"] = str(start + q.limit)
    return ok(logs)


@routes.get("/api/deployments/{owner}/{deployment}/metrics", query=MetricsQuery,
            response=Metrics | OverviewMetrics | Sparkline)  # fmt: skip
def deployment_metrics(call: Call) -> Response:
    """Requests, errors, latency, CPU, memory and instances over a range, from what the deployment served."""
    d, q, p = deployment_at(call), call.query, call.platform
    now = p.world.now()
    if q.sparkline == "true":
        hours = traffic(d, now - 86400, now, 24)
        served = [r for h in hours for r in h]
        return ok(Sparkline(requests24h=[len(h) for h in hours], totalRequests=len(served),
                            errorRate=error_rate(served), avgLatencyMs=mean_latency(served)))  # fmt: skip
    span, count = RANGES[q.range]
    buckets = traffic(d, now - span, now, count)
    step = span / count
    served = [r for b in buckets for r in b]
    latencies = [r.latency_ms for r in served]

    def series(values: list[float]) -> list[Point]:
        return [Point(timestamp=iso(now - span + i * step), value=v) for i, v in enumerate(values)]

    requests = series([float(len(b)) for b in buckets])
    errors = series([float(sum(1 for r in b if not r.ok)) for b in buckets])
    p95 = series([percentile([r.latency_ms for r in b], 0.95) or 0.0 for b in buckets])
    window = TimeRange(start=iso(now - span), end=iso(now))
    if q.view == "overview":
        return ok(OverviewMetrics(
            deploymentId=public_id(d.id), region=d.region, timeRange=window,
            summary=OverviewSummary(totalRequests=len(served), errorRate=error_rate(served),
                                    p95LatencyMs=percentile(latencies, 0.95) or 0.0),
            timeSeries=OverviewSeries(requests=requests, errors=errors, latencyP95=p95),
        ))  # fmt: skip
    model: Model | None = p.world.models(call.account.id).get(d.model_id)
    weights = model.file.size if model is not None and model.file is not None else 0
    memory = round(100.0 * min(1.0, (SERVER_MEMORY + weights) / (d.memory_gi * GIB)), 2)
    # A bucket had instances if the deployment was up then, or served then (scaled from zero).
    up = [bool(b) or (d.running_since is not None and now - span + (i + 1) * step > d.running_since
                      and d.min_instances > 0) for i, b in enumerate(buckets)]  # fmt: skip
    return ok(Metrics(
        deploymentId=public_id(d.id), region=d.region, timeRange=window,
        summary=Summary(totalRequests=len(served), errorCount=sum(1 for r in served if not r.ok),
                        errorRate=error_rate(served), avgLatencyMs=mean_latency(served),
                        p50LatencyMs=percentile(latencies, 0.5) or 0.0, p95LatencyMs=percentile(latencies, 0.95) or 0.0,
                        p99LatencyMs=percentile(latencies, 0.99) or 0.0),
        timeSeries=Series(
            requests=requests, errors=errors,
            latencyP50=series([percentile([r.latency_ms for r in b], 0.5) or 0.0 for b in buckets]),
            latencyP95=p95,
            # busy time over the bucket's CPU time
            cpuUtilization=series([round(min(100.0, 100 * sum(r.latency_ms for r in b) / (step * 1000 * d.cpu)), 3)
                                   for b in buckets]),
            memoryUtilization=series([memory if u else 0.0 for u in up]),
            instanceCount=series([float(max(1, d.min_instances)) if u else 0.0 for u in up]),
        ),
    ))  # fmt: skip


@routes.post("/api/deployments/{owner}/{deployment}/predict", response=PredictAnswer, category="predict",
             errors=(400, 401, 404, 413, 429, 503))  # fmt: skip
async def predict_deployment(call: Call) -> Response:
    """Run the deployed model on an image (`file`, or `source` URL/base64), counted in its metrics and logs."""
    with call.emulator.lock:
        d = deployment_at(call)
    return await serve(call, d)


# -- serving, shared with the deployment's own URL ---------------------------------------------


async def serve(call: Call, d: Deployment) -> Response:
    """A prediction through deployment `d`, recorded in its logs and metrics, failures included."""
    p, emulator = call.platform, call.emulator
    started = time.perf_counter()
    try:
        with emulator.lock:
            if d.status != "running":
                raise ValidationError(f"Deployment is not ready (status: {STATUS[d.status]})", {"status": d.status})
            model: Model | None = p.world.models(d.account_id).get(d.model_id)
            if model is None:
                raise ValidationError("The deployed model was deleted", {"model": "deleted"})
            project = p.world.projects(d.account_id).get(model.project_id)
        form = await read_form(call.request)
        label = f"{call.account.username}/{project.slug if project else '-'}/{model.slug}"
        response, prediction = await answer(emulator, form, model, label)
    except ApiError as err:
        with emulator.lock:
            p.deployments.record_request(d, (time.perf_counter() - started) * 1000, ok=False, detail=err.message)
        raise
    with emulator.lock:
        p.deployments.record_request(d, (time.perf_counter() - started) * 1000, ok=True,
                                     detail=f"{len(prediction.detections)} detection(s) by {prediction.network}")  # fmt: skip
    return response


def error_rate(served: list[Any]) -> float:
    return round(sum(1 for r in served if not r.ok) / len(served), 4) if served else 0.0


def mean_latency(served: list[Any]) -> float:
    return round(sum(r.latency_ms for r in served) / len(served), 3) if served else 0.0


_BLANK: list[bytes] = []


def blank_image() -> bytes:
    """A 64x64 grey PNG: what a health check sends through the model."""
    if not _BLANK:
        buf = io.BytesIO()
        from PIL import Image  # loaded by the first health check, not with the app

        Image.new("RGB", (64, 64), (114, 114, 114)).save(buf, format="PNG")
        _BLANK.append(buf.getvalue())
    return _BLANK[0]
