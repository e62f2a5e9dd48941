"""Deployments by owner and slug: list, create, inspect, start/stop/replace/resize, rename, delete.

The domain's lifecycle (creating -> deploying -> running; stopping -> stopped) shows
here with the contract's names (`running` is `ready`). `PATCH {action}` answers 200 when
the deployment is already where it was sent, 202 while it moves there. A deployment's
health, logs and metrics are in `monitoring`; predicting through it in `service`.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.inputs import Body
from ulmock.api.operations import Call
from ulmock.api.platform.access import (
    check_slug,
    deployment_at,
    model_named,
    model_served,
    owner_of,
    project_of,
)
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.refusals import live_statuses
from ulmock.api.platform.routes import ACTION, CONFLICTING, PlatformRoutes, ok
from ulmock.api.platform.vocabulary import Region
from ulmock.domain.catalogue import REGIONS
from ulmock.domain.clock import iso
from ulmock.domain.entities import Deployment
from ulmock.domain.errors import ValidationError
from ulmock.domain.ids import slugify

routes = PlatformRoutes("Deployments")
Status = Literal["creating", "deploying", "ready", "stopping", "stopped", "failed"]
STATUS: dict[str, Status] = {
    "creating": "creating",
    "deploying": "deploying",
    "running": "ready",
    "stopping": "stopping",
    "stopped": "stopped",
    "failed": "failed",
}
Cpu = Literal[1, 2, 4, 6, 8]
MemoryGi = Literal[2, 4, 8, 16, 24, 32]


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


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    status: Status | None = None
    model: str | None = Field(None, max_length=260, description="project/model")
    limit: int = Field(20, ge=1, le=100)


class CreateDeployment(Body):
    project: str = Field(min_length=1, max_length=128)
    model: str = Field(min_length=1, max_length=128)
    deployment: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=100)
    region: Literal[REGIONS]  # type: ignore[valid-type]
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


# -- showing ------------------------------------------------------------------------------


def service_url(call: Call, d: Deployment) -> str:
    return f"{call.base_url}/endpoints/{public_id(d.id)}"


def deployment_item(call: Call, d: Deployment) -> DeploymentItem:
    item = DeploymentItem(
        id=public_id(d.id),
        owner=call.account.username,
        deployment=d.slug,
        name=d.name,
        status=STATUS[d.status],
        region=d.region,
        createdAt=iso(d.created_at),
        updatedAt=iso(d.updated_at),
        metered=True,
        resources=Resources(
            cpu=d.cpu, memoryGi=d.memory_gi, minInstances=d.min_instances, maxInstances=d.max_instances
        ),
    )
    model = model_served(call, d)
    if model is not None:
        project = project_of(call, model)
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
        model_id = model_named(call, project_slug, model_slug).id
    rows, _ = call.platform.world.deployments(account.id).newest_first()
    matching = [
        d
        for d in rows
        if (q.status is None or STATUS[d.status] == q.status) and (model_id is None or d.model_id == model_id)
    ]
    return ok(
        DeploymentList(
            deployments=[deployment_item(call, d) for d in matching[: q.limit]],
            total=len(matching),
            region=account.region,
        )
    )


@routes.post(
    "/api/deployments/{owner}", body=CreateDeployment, response=DeploymentCreated, status=201, errors=CONFLICTING
)
def create_deployment(call: Call) -> Response:
    """Serve a model from a region; it moves creating -> deploying -> ready on the clock."""
    b = call.body
    account = owner_of(call, "deployment")
    slug = check_slug(b.deployment, "deployment")
    model = model_named(call, b.project, b.model)
    d = call.platform.deployments.create(
        account, model.id, b.region, 0, 1, slug=slug, name=b.name, cpu=b.cpu, memory_gi=b.memoryGi
    )
    return ok(
        DeploymentCreated(
            id=public_id(d.id),
            deployment=d.slug,
            status="creating",
            message=f"Deploying {b.project}/{b.model} to {b.region}",
            region=d.region,
        ),
        201,
    )


@routes.get("/api/deployments/{owner}/{deployment}", response=DeploymentDetail)
def get_deployment(call: Call) -> Response:
    """One deployment: status, resources, service URL and custom metadata."""
    d = deployment_at(call)
    item = DeploymentDetailItem(**deployment_item(call, d), metadata=dict(d.metadata))
    return ok(DeploymentDetail(deployment=item, region=call.account.region))


@routes.patch("/api/deployments/{owner}/{deployment}", body=UpdateDeployment, response=DeploymentUpdated, errors=ACTION)
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
            deployments.replace(account, d.id, model_named(call, b.project, b.model).id)
            return moved(d, "ready" if d.status != "stopped" else "stopped", f"Rolling out {b.project}/{b.model}")
        if b.action == "resize":
            if b.cpu is None and b.memoryGi is None:
                raise ValidationError("resize needs cpu or memoryGi", {"cpu": "required"})
            deployments.resize(account, d.id, b.cpu, b.memoryGi)
            return moved(d, STATUS[d.status], f"Resized to {d.cpu} vCPU and {d.memory_gi} GiB")
        if b.action == "camera":
            raise ValidationError(
                "Camera streams are not emulated: ulmock has no RTSP source to read", {"action": "camera"}
            )
    if b.name is not None:
        deployments.rename(
            account, d.id, b.name, check_slug(slugify(b.name)[:128].strip("-") or "deployment", "deployment")
        )
        answer_ = DeploymentUpdated(
            success=True, status=STATUS[d.status], message=f"Renamed to {d.name}", deployment=d.slug
        )
        return ok(answer_)
    if b.metadata is not None:
        deployments.set_metadata(account, d.id, b.metadata)
        return ok(DeploymentUpdated(success=True, status=STATUS[d.status], message="Metadata updated"))
    raise ValidationError("Send an action, a name or metadata", {"action": "required"})


@routes.delete("/api/deployments/{owner}/{deployment}", response=DeploymentDeleted)
def delete_deployment(call: Call) -> Response:
    """Shut the endpoint down and delete it for good."""
    call.platform.deployments.remove(call.account, deployment_at(call).id)
    return ok(DeploymentDeleted(success=True))
