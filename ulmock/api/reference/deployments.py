"""/api/deployments: serve a model in a region; start, stop, metrics and logs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.reference import envelope
from ulmock.api.reference.requests import CreateDeployment, DeploymentListQuery, DeploymentLogsQuery
from ulmock.api.reference.routes import ReferenceRoutes
from ulmock.api.reference.views import TrashedView, shape, trashed_view
from ulmock.domain.clock import iso
from ulmock.domain.deployments import Metrics
from ulmock.domain.entities import Account, Deployment, DeploymentLog


@shape
class DeploymentView(TypedDict):
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


def deployment_view(d: Deployment, base_url: str) -> DeploymentView:
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


@shape
class LatencyView(TypedDict):
    p50: float | None
    p95: float | None
    p99: float | None


@shape
class InstancesView(TypedDict):
    current: int
    min: int
    max: int


@shape
class DeploymentMetricsView(TypedDict):
    deploymentId: str
    status: str
    requests: int
    errors: int
    errorRate: float
    latencyMs: LatencyView
    instances: InstancesView
    uptimeMs: int


def deployment_metrics_view(m: Metrics) -> DeploymentMetricsView:
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


@shape
class DeploymentLogView(TypedDict):
    timestamp: str
    severity: Literal["info", "warning", "error"]
    message: str


def deployment_log_view(log: DeploymentLog) -> DeploymentLogView:
    return {"timestamp": iso(log.at), "severity": log.severity, "message": log.message}


def _deployment_after(call: Call, action: Callable[[Account, str], Deployment]) -> DeploymentView:
    """`action` on the deployment in the path; the answer is that deployment as it then is."""
    return deployment_view(action(call.account, call.params["deploymentId"]), call.base_url)


routes = ReferenceRoutes("deployments", scope="deployments")


@routes.get("/api/deployments", query=DeploymentListQuery, response=DeploymentView, paginated=True)
def list_deployments(call: Call) -> Response:
    """Your deployments, newest first; filter by model."""
    q = call.query
    page = call.platform.deployments.list(call.account, q.page, q.limit, q.modelId)
    return envelope.paged(page, [deployment_view(d, call.base_url) for d in page.items])


@routes.create(
    "/api/deployments",
    "deploymentId",
    "get_deployment",
    "delete_deployment",
    body=CreateDeployment,
    response=DeploymentView,
)
def create_deployment(call: Call) -> DeploymentView:
    """Deploy a model to a region: creating -> deploying -> running."""
    b = call.body
    d = call.platform.deployments.create(call.account, b.modelId, b.region, b.minInstances, b.maxInstances)
    return deployment_view(d, call.base_url)


@routes.get("/api/deployments/{deploymentId}", response=DeploymentView)
def get_deployment(call: Call) -> DeploymentView:
    """One deployment; a running one reports the URL that serves predictions."""
    return _deployment_after(call, call.platform.deployments.get)


@routes.delete("/api/deployments/{deploymentId}", response=TrashedView)
def delete_deployment(call: Call) -> TrashedView:
    """Shut a deployment down and move it to the trash."""
    return trashed_view(call.platform.deployments.delete(call.account, call.params["deploymentId"]))


@routes.post("/api/deployments/{deploymentId}/start", response=DeploymentView)
def start_deployment(call: Call) -> DeploymentView:
    """Start a stopped deployment (it goes through deploying again)."""
    return _deployment_after(call, call.platform.deployments.start)


@routes.post("/api/deployments/{deploymentId}/stop", response=DeploymentView)
def stop_deployment(call: Call) -> DeploymentView:
    """Stop a deployment: stopping -> stopped."""
    return _deployment_after(call, call.platform.deployments.stop)


@routes.get("/api/deployments/{deploymentId}/metrics", response=DeploymentMetricsView)
def deployment_metrics(call: Call) -> DeploymentMetricsView:
    """Requests, errors, latency percentiles and instances, from what the deployment served."""
    # the domain computes the figures in this shape (ulmock.domain.deployments.Deployments.metrics)
    return deployment_metrics_view(call.platform.deployments.metrics(call.account, call.params["deploymentId"]))


@routes.get(
    "/api/deployments/{deploymentId}/logs",
    query=DeploymentLogsQuery,
    response=DeploymentLogView,
    paginated=True,
)
def deployment_logs(call: Call) -> Response:
    """Lifecycle and serving log lines, newest first; filter by severity."""
    q = call.query
    page = call.platform.deployments.logs(call.account, call.params["deploymentId"], q.severity, q.limit)
    return envelope.paged(page, [deployment_log_view(x) for x in page.items])
