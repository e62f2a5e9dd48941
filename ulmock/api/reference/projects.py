"""/api/projects: list, get, create, delete (models go to the trash with their project)."""

from __future__ import annotations

from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.reference import envelope
from ulmock.api.reference.requests import CreateProject, PageQuery
from ulmock.api.reference.routes import ReferenceRoutes
from ulmock.api.reference.views import TrashedView, shape, trashed_view
from ulmock.domain.clock import iso
from ulmock.domain.entities import Project


@shape
class ProjectView(TypedDict):
    id: str
    name: str
    slug: str
    description: str
    modelCount: int
    createdAt: str
    updatedAt: str


def project_view(p: Project, model_count: int) -> ProjectView:
    return {
        "id": p.id,
        "name": p.name,
        "slug": p.slug,
        "description": p.description,
        "modelCount": model_count,
        "createdAt": iso(p.created_at),
        "updatedAt": iso(p.updated_at),
    }


routes = ReferenceRoutes("projects", scope="projects")


@routes.get("/api/projects", query=PageQuery, response=ProjectView, paginated=True)
def list_projects(call: Call) -> Response:
    """List your projects, newest first."""
    p, q = call.platform, call.query
    page = p.projects.list(call.account, q.page, q.limit)
    return envelope.paged(page, [project_view(x, p.projects.model_count(call.account, x.id)) for x in page.items])


@routes.create("/api/projects", "projectId", "get_project", "delete_project", body=CreateProject, response=ProjectView)
def create_project(call: Call) -> ProjectView:
    """Create a project."""
    project = call.platform.projects.create(call.account, call.body.name, call.body.description)
    return project_view(project, 0)


@routes.get("/api/projects/{projectId}", response=ProjectView)
def get_project(call: Call) -> ProjectView:
    """One project."""
    p = call.platform
    project = p.projects.get(call.account, call.params["projectId"])
    return project_view(project, p.projects.model_count(call.account, project.id))


@routes.delete("/api/projects/{projectId}", response=TrashedView)
def delete_project(call: Call) -> TrashedView:
    """Move a project and its models to the trash."""
    item = call.platform.projects.delete(call.account, call.params["projectId"])
    return trashed_view(item)
