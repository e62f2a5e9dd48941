"""Projects: list, create, retrieve (with its models), update (rename, star), clone, delete."""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from pydantic import Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.inputs import Body, Query
from ulmock.api.operations import Call
from ulmock.api.platform.access import check_slug, landed, listed, owner_account, project_at, workspace
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.routes import CONFLICTING, CREATE, WRITE, PlatformRoutes, ok
from ulmock.api.platform.status import LiveStatus, last_training, model_status, tell_start
from ulmock.api.platform.vocabulary import Description, Metadata, Name, RecordChanges, Region, Slug, Tags, Visibility
from ulmock.domain.clock import iso
from ulmock.domain.entities import Model, Project

routes = PlatformRoutes("Projects")


class ProjectView(TypedDict):
    id: str
    owner: str
    project: str
    name: str
    description: NotRequired[str]
    visibility: Visibility
    tags: NotRequired[list[str]]
    modelCount: int
    modelNames: NotRequired[list[str]]
    totalBytes: NotRequired[float]
    starCount: int
    isStarred: bool
    region: NotRequired[Region]
    clonedFrom: NotRequired[str]
    createdAt: str
    updatedAt: str


class ProjectDetailView(ProjectView):
    metadata: dict[str, Any]


class ModelFileSize(TypedDict):
    size: float


class ProjectModel(TypedDict):
    id: str
    model: str
    name: str
    task: NotRequired[Literal["detect", "segment", "semantic", "depth", "classify", "pose", "obb"]]
    status: NotRequired[LiveStatus]
    epochs: NotRequired[int]
    metrics: NotRequired[dict[str, float]]
    epochCount: int
    startedAt: NotRequired[str]
    file: NotRequired[ModelFileSize]
    hasWeights: bool
    createdAt: str
    updatedAt: str


class ProjectList(TypedDict):
    projects: list[ProjectView]
    total: int
    region: Region


class ProjectDetail(TypedDict):
    project: ProjectDetailView
    models: list[ProjectModel]
    isOwner: bool


class ProjectCreated(TypedDict):
    id: str
    owner: str
    project: str
    region: Region


class ProjectRenamed(TypedDict):
    success: Literal[True]
    project: str


class ProjectStarred(TypedDict):
    starred: bool
    starCount: int


class ProjectCloned(TypedDict):
    id: str
    owner: str
    project: str
    name: str
    modelCount: int
    region: Region


class ProjectDeleted(TypedDict):
    success: Literal[True]
    cascadedModels: int


class ListQuery(Query):
    limit: int = Field(20, ge=1, le=500, description="Maximum projects to return")


class NewProject(Body):
    project: Slug = Field(description="URL slug")
    name: Name
    description: Description | None = None
    metadata: Metadata | None = None
    visibility: Visibility = "private"
    tags: Tags = Field(default_factory=list)
    owner: str | None = None


class ProjectChanges(RecordChanges):
    pass


class CloneRequest(Body):
    name: Name | None = None
    description: Description | None = None
    visibility: Visibility | None = None
    project: Slug | None = Field(None, description="slug of the copy")
    owner: str | None = None


def project_view(call: Call, project: Project) -> ProjectView:
    p = call.platform
    owner = owner_account(call, project)
    models = p.projects.models_of(owner, project.id)
    view = ProjectView(
        id=public_id(project.id),
        owner=owner.username,
        project=project.slug,
        name=project.name,
        description=project.description,
        visibility=project.visibility,
        tags=list(project.tags),
        modelCount=len(models),
        modelNames=[m.name for m in models],
        totalBytes=sum(m.file.size for m in models if m.file),
        starCount=int(project.starred),
        isStarred=project.starred and owner.id == call.account.id,
        region=owner.region,
        createdAt=iso(project.created_at),
        updatedAt=iso(project.updated_at),
    )
    if project.cloned_from is not None:
        view["clonedFrom"] = public_id(project.cloned_from)
    return view


def project_model(call: Call, model: Model) -> ProjectModel:
    run = last_training(call.platform.world, model)
    item = ProjectModel(
        id=public_id(model.id),
        model=model.slug,
        name=model.name,
        task=model.task,  # type: ignore[typeddict-item]
        status=model_status(model, run),
        metrics=dict(model.metrics),
        epochCount=len(run.history) if run else 0,
        hasWeights=model.file is not None,
        createdAt=iso(model.created_at),
        updatedAt=iso(model.updated_at),
    )
    if run is not None:
        tell_start(item, run)
    if model.file is not None:
        item["file"] = ModelFileSize(size=model.file.size)
    return item


@routes.get("/api/projects/{owner}", query=ListQuery, response=ProjectList)
def list_projects(call: Call) -> Response:
    """An owner's projects: all of them for the owner, the public ones for anyone else."""
    owner, shown = listed(call, "project")
    return ok(
        ProjectList(
            projects=[project_view(call, pr) for pr in shown[: call.query.limit]], total=len(shown), region=owner.region
        )
    )


@routes.post("/api/projects", body=NewProject, response=ProjectCreated, status=201, errors=CREATE)
def create_project(call: Call) -> Response:
    """Create a project; a taken slug is 409."""
    body: NewProject = call.body
    account = workspace(call, body.owner)
    project = call.platform.projects.create(
        account,
        body.name,
        body.description,
        slug=check_slug(body.project, "project"),
        visibility=body.visibility,
        tags=body.tags,
        metadata=body.metadata,
    )
    return ok(ProjectCreated(**landed(account, project), project=project.slug), 201)


def _readable_project(call: Call) -> Project:
    return project_at(call, readable=True)


@routes.get("/api/projects/{owner}/{project}", response=ProjectDetail)
def retrieve_project(call: Call) -> Response:
    """A project and its models."""
    project = _readable_project(call)
    owner = owner_account(call, project)
    models = call.platform.projects.models_of(owner, project.id)
    detail = ProjectDetailView(**project_view(call, project), metadata=dict(project.metadata))
    return ok(
        ProjectDetail(
            project=detail, models=[project_model(call, m) for m in models], isOwner=owner.id == call.account.id
        )
    )


@routes.patch(
    "/api/projects/{owner}/{project}", body=ProjectChanges, response=ProjectRenamed | ProjectStarred, errors=CONFLICTING
)
def update_project(call: Call) -> Response:
    """Change a project; a new name moves it to the new slug (409 when taken)."""
    project = project_at(call)
    body: ProjectChanges = call.body
    changes = body.changes()
    project = call.platform.projects.update(call.account, project.id, name=body.name, **changes)
    if set(changes) == {"starred"} and body.name is None:
        return ok(ProjectStarred(starred=project.starred, starCount=int(project.starred)))
    return ok(ProjectRenamed(success=True, project=project.slug))


@routes.post(
    "/api/projects/{owner}/{project}/clone", body=CloneRequest, response=ProjectCloned, status=201, errors=CONFLICTING
)
def clone_project(call: Call) -> Response:
    """Copy a project you can see, with its completed models, into your workspace."""
    source = _readable_project(call)
    body: CloneRequest = call.body
    account = workspace(call, body.owner)
    slug = check_slug(body.project, "project") if body.project is not None else None
    copy, models = call.platform.projects.clone(
        account, source, body.name, slug, call.platform.models, body.description, body.visibility
    )
    return ok(ProjectCloned(**landed(account, copy), project=copy.slug, name=copy.name, modelCount=len(models)), 201)


@routes.delete("/api/projects/{owner}/{project}", response=ProjectDeleted, errors=WRITE)
def delete_project(call: Call) -> Response:
    """Move a project and its models to the trash."""
    project = project_at(call)
    item = call.platform.projects.delete(call.account, project.id)
    return ok(ProjectDeleted(success=True, cascadedModels=len(item.children)))
