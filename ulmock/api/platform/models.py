"""Models: list, create, retrieve, update (rename, star, move), delete, files, clone."""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from pydantic import Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.files import signed_urls
from ulmock.api.inputs import Body, Query
from ulmock.api.operations import Call
from ulmock.api.platform.access import (
    by_public_id,
    check_owner,
    check_slug,
    landed,
    missing,
    model_at,
    owner_account,
    project_at,
)
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.routes import CONFLICTING, WRITE, PlatformRoutes, ok
from ulmock.api.platform.status import LiveStatus, last_training, model_status, tell_times
from ulmock.api.platform.vocabulary import Description, Metadata, Name, NewTask, Region, Slug, Task
from ulmock.domain.clock import iso
from ulmock.domain.entities import Model, Project
from ulmock.domain.errors import Forbidden, NotFound, ValidationError

routes = PlatformRoutes("Models")


class FileSize(TypedDict):
    size: float


class TrainingError(TypedDict):
    message: str
    timestamp: str


class ModelView(TypedDict):
    id: str
    owner: str
    project: str
    projectName: str
    model: str
    visibility: Literal["public", "private"]
    name: str
    description: NotRequired[str]
    status: NotRequired[LiveStatus]
    task: NotRequired[Task]
    datasetId: NotRequired[str]
    epochs: NotRequired[int]
    metrics: NotRequired[dict[str, float]]
    hasWeights: bool
    file: NotRequired[FileSize]
    startedAt: NotRequired[str]
    completedAt: NotRequired[str]
    classNames: NotRequired[list[str]]
    trainingError: NotRequired[TrainingError]
    starCount: int
    isStarred: bool
    clonedFrom: NotRequired[str]
    createdAt: str
    updatedAt: str


class ModelDetailView(ModelView):
    metadata: dict[str, Any]


class ModelList(TypedDict):
    models: list[ModelView]
    region: Region


class ModelDetail(TypedDict):
    model: ModelDetailView
    isOwner: bool


class ModelCreated(TypedDict):
    id: str
    owner: str
    project: str
    model: str
    name: str
    region: Region


class ModelChanged(TypedDict):
    success: Literal[True]
    model: str


class ModelRenamed(TypedDict):
    success: Literal[True]
    slug: str
    name: NotRequired[str]
    renamed: NotRequired[bool]
    projectSlug: NotRequired[str]


class ModelStarred(TypedDict):
    starred: bool
    starCount: int


class ModelDeleted(TypedDict):
    success: Literal[True]


class ModelFile(TypedDict):
    name: str
    size: float
    downloadUrl: str


class ModelFiles(TypedDict):
    files: list[ModelFile]


class ListQuery(Query):
    limit: int = Field(50, ge=1, le=500, description="Maximum models to return")


class DetailQuery(Query):
    analysis: Literal["1"] | None = Field(None, description="Per-image validation analysis (not emulated)")


class ModelPlacement(Body):
    # Where a new model or a copy goes, and what it is called (each says what its slugs mean).
    owner: str | None = None
    project: Slug
    model: Slug | None = None
    name: Name | None = None
    description: Description | None = None


class NewModel(ModelPlacement):
    project: Slug = Field(description="slug of an existing project")
    model: Slug | None = Field(None, description="URL slug (default: from the name)")
    metadata: Metadata | None = None
    task: NewTask = "detect"
    metrics: dict[str, float] | None = None


class ModelChanges(Body):
    starred: bool | None = None
    name: Name | None = None
    description: Description | None = None
    metadata: Metadata | None = None
    projectId: str | None = Field(None, min_length=1, max_length=64, description="move to this project of yours")


class CloneRequest(ModelPlacement):
    project: Slug = Field(description="slug of the destination project")
    model: Slug | None = Field(None, description="slug of the copy")


def model_view(call: Call, project: Project, model: Model) -> ModelView:
    w = call.platform.world
    owner = owner_account(call, model)
    run = last_training(w, model)
    view = ModelView(
        id=public_id(model.id),
        owner=owner.username,
        project=project.slug,
        projectName=project.name,
        model=model.slug,
        visibility=project.visibility,
        name=model.name,
        description=model.description,
        status=model_status(model, run),
        task=model.task,  # type: ignore[typeddict-item]
        metrics=dict(model.metrics),
        hasWeights=model.file is not None,
        classNames=list(model.class_names),
        starCount=int(model.starred),
        isStarred=model.starred and owner.id == call.account.id,
        createdAt=iso(model.created_at),
        updatedAt=iso(model.updated_at),
    )
    if model.dataset_id is not None:
        view["datasetId"] = public_id(model.dataset_id)
    if model.file is not None:
        view["file"] = FileSize(size=model.file.size)
    if model.cloned_from is not None:
        view["clonedFrom"] = public_id(model.cloned_from)
    if run is not None:
        tell_times(view, run)
        if run.status == "failed" and run.error:
            view["trainingError"] = TrainingError(message=run.error, timestamp=iso(run.finished_at or run.created_at))
    return view


def _created(call: Call, project: Project, model: Model) -> Response:
    """The 201 for a model made in one of the caller's projects (created or cloned)."""
    return ok(ModelCreated(**landed(call.account, model), project=project.slug, model=model.slug, name=model.name), 201)


def _own_project(call: Call, owner: str | None, slug: str) -> Project:
    if owner is not None and check_owner(owner) != call.account.username:
        raise Forbidden("Project editor access required")
    project = call.platform.projects.by_slug(call.account, check_slug(slug, "project"))
    if project is None:
        raise missing("project")
    return project


@routes.get("/api/models/{owner}/{project}", query=ListQuery, response=ModelList)
def list_models(call: Call) -> Response:
    """The models of a project (yours, or a public one)."""
    project = project_at(call, readable=True)
    owner = owner_account(call, project)
    models = call.platform.projects.models_of(owner, project.id)[: call.query.limit]
    return ok(ModelList(models=[model_view(call, project, m) for m in models], region=owner.region))


@routes.post("/api/models", body=NewModel, response=ModelCreated, status=201, errors=CONFLICTING)
def create_model(call: Call) -> Response:
    """Create a model in one of your projects; a taken slug is 409."""
    body: NewModel = call.body
    project = _own_project(call, body.owner, body.project)
    slug = check_slug(body.model, "model") if body.model is not None else None
    name = body.name or body.model or "model"
    model = call.platform.models.create(call.account, project.id, name, task=body.task, status="ready", slug=slug)
    if body.description is not None or body.metadata is not None or body.metrics is not None:
        call.platform.models.update(
            call.account,
            model.id,
            description=body.description or "",
            metadata=body.metadata or {},
            metrics=body.metrics or {},
        )
    return _created(call, project, model)


@routes.get("/api/models/{owner}/{project}/{model}", query=DetailQuery, response=ModelDetail)
def retrieve_model(call: Call) -> Response:
    """One model, with its metrics and state."""
    project, model = model_at(call, readable=True)
    if call.query.analysis is not None:
        raise ValidationError("Per-image validation analysis is not emulated by ulmock", {"analysis": "1"})
    view = model_view(call, project, model)
    return ok(
        ModelDetail(
            model=ModelDetailView(**view, metadata=dict(model.metadata)), isOwner=model.account_id == call.account.id
        )
    )


@routes.patch(
    "/api/models/{owner}/{project}/{model}",
    body=ModelChanges,
    response=ModelChanged | ModelRenamed | ModelStarred,
    errors=CONFLICTING,
)
def update_model(call: Call) -> Response:
    """Change a model: rename (new slug), star, describe, or move it to another project (`projectId`)."""
    _, model = model_at(call)
    body: ModelChanges = call.body
    p = call.platform
    changes = body.model_dump(exclude_unset=True, exclude={"name", "projectId"})
    if not changes and body.name is None and body.projectId is None:
        raise ValidationError("Nothing to update", {"body": "give at least one field"})
    for key in [k for k, v in changes.items() if v is None]:
        raise ValidationError(f"Invalid request body: {key} must not be null", {key: "null"})
    if body.projectId is not None:
        target = by_public_id(call, "project", body.projectId)
        if target is None:
            raise NotFound("Project not found")
        model = p.models.move(call.account, model.id, target.id)
        return ok(ModelRenamed(success=True, slug=model.slug, projectSlug=target.slug))
    old_slug = model.slug
    model = p.models.update(call.account, model.id, name=body.name, **changes)
    if body.name is not None:
        return ok(ModelRenamed(success=True, slug=model.slug, name=model.name, renamed=model.slug != old_slug))
    if set(changes) == {"starred"}:
        return ok(ModelStarred(starred=model.starred, starCount=int(model.starred)))
    return ok(ModelChanged(success=True, model=model.slug))


@routes.delete("/api/models/{owner}/{project}/{model}", response=ModelDeleted, errors=WRITE)
def delete_model(call: Call) -> Response:
    """Move a model to the trash for 30 days."""
    _, model = model_at(call)
    call.platform.models.delete(call.account, model.id)
    return ok(ModelDeleted(success=True))


@routes.get("/api/models/{owner}/{project}/{model}/files", response=ModelFiles, category="download")
def model_files(call: Call) -> Response:
    """Short-lived signed download URLs of the model's weights."""
    _, model = model_at(call, readable=True)
    owner = owner_account(call, model)
    _, files = call.platform.models.files(owner, model.id)
    signer = call.platform.world.signer
    return ok(
        ModelFiles(
            files=[
                ModelFile(name=f.name, size=f.size, downloadUrl=signed_urls.url(signer, g, call.base_url))
                for f, g in files
            ]
        )
    )


@routes.post(
    "/api/models/{owner}/{project}/{model}/clone",
    body=CloneRequest,
    response=ModelCreated,
    status=201,
    errors=CONFLICTING,
)
def clone_model(call: Call) -> Response:
    """Copy a model you can see (weights included) into one of your projects."""
    _, source = model_at(call, readable=True)
    body: CloneRequest = call.body
    target = _own_project(call, body.owner, body.project)
    slug = check_slug(body.model, "model") if body.model is not None else None
    copy = call.platform.models.copy(call.account, source, target.id, name=body.name, slug=slug)
    if body.description is not None:
        call.platform.models.update(call.account, copy.id, description=body.description)
    return _created(call, target, copy)
