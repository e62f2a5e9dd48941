"""/api/models: list, get, upload, delete, signed file downloads."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.files import signed_urls
from ulmock.api.operations import Call
from ulmock.api.reference import envelope
from ulmock.api.reference.requests import ModelListQuery, UploadModelForm
from ulmock.api.reference.routes import ReferenceRoutes
from ulmock.api.reference.views import TrashedView, shape, trashed_view
from ulmock.domain.clock import iso
from ulmock.domain.entities import Model, ModelFile
from ulmock.domain.limits import UPLOAD_LIMIT
from ulmock.domain.signing import SignedPath


@shape
class ModelFileInfoView(TypedDict):
    name: str
    size: int
    format: str


@shape
class ModelView(TypedDict):
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


def model_view(m: Model) -> ModelView:
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


@shape
class ModelFileView(TypedDict):
    name: str
    size: int
    format: str
    downloadUrl: str
    expiresAt: str


@shape
class ModelFilesView(TypedDict):
    modelId: str
    files: list[ModelFileView]


def model_files_view(m: Model, files: Sequence[tuple[ModelFile, SignedPath]], base_url: str) -> ModelFilesView:
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


routes = ReferenceRoutes("models", scope="models")


@routes.get("/api/models", query=ModelListQuery, response=ModelView, paginated=True)
def list_models(call: Call) -> Response:
    """List your models, newest first; filter by project or task."""
    q = call.query
    page = call.platform.models.list(call.account, q.page, q.limit, q.projectId, q.task)
    return envelope.paged(page, [model_view(m) for m in page.items])


@routes.create(
    "/api/models",
    "modelId",
    "get_model",
    "delete_model",
    form=UploadModelForm,
    response=ModelView,
    max_body=UPLOAD_LIMIT,
)
def upload_model(call: Call) -> ModelView:
    """Upload a model file (.pt or .onnx) into a project."""
    p, f = call.platform, call.form
    filename, data, _ = call.files["file"]
    p.storage.require_room(call.account, len(data))
    model = p.models.upload(call.account, f.projectId, f.name, filename, data, f.task)
    return model_view(model)


@routes.get("/api/models/{modelId}", response=ModelView)
def get_model(call: Call) -> ModelView:
    """One model."""
    return model_view(call.platform.models.get(call.account, call.params["modelId"]))


@routes.delete("/api/models/{modelId}", response=TrashedView)
def delete_model(call: Call) -> TrashedView:
    """Move a model to the trash."""
    item = call.platform.models.delete(call.account, call.params["modelId"])
    return trashed_view(item)


@routes.get("/api/models/{modelId}/files", response=ModelFilesView)
def model_files(call: Call) -> ModelFilesView:
    """Signed, expiring download URLs for the model's weights."""
    model, files = call.platform.models.files(call.account, call.params["modelId"])
    return model_files_view(model, signed_urls.signed_files(call.platform.world.signer, files), call.base_url)
