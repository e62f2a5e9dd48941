"""/api/models: list, get, upload, delete, signed file downloads."""

from __future__ import annotations

from starlette.responses import Response

from ulmock.api.reference import envelope
from ulmock.api.routing import Call, Routes
from ulmock.api.schemas import ModelListQuery, UploadModelForm
from ulmock.domain.limits import UPLOAD_LIMIT
from ulmock.api.reference.views import (
    ModelFilesView,
    ModelView,
    TrashedView,
    model_files_view,
    model_view,
    trashed_view,
)

routes = Routes("models")
SCOPE = "models"


@routes.get("/api/models", scope=SCOPE, query=ModelListQuery, response=ModelView, paginated=True)
def list_models(call: Call) -> Response:
    """List your models, newest first; filter by project or task."""
    q = call.query
    page = call.platform.models.list(call.account, q.page, q.limit, q.projectId, q.task)
    return envelope.paged(page, [model_view(m) for m in page.items])


@routes.post(
    "/api/models",
    scope=SCOPE,
    form=UploadModelForm,
    response=ModelView,
    status=201,
    max_body=UPLOAD_LIMIT,
    links={"GetModel": {"operationId": "get_model", "parameters": {"modelId": "$response.body#/data/id"}},
           "DeleteModel": {"operationId": "delete_model", "parameters": {"modelId": "$response.body#/data/id"}}},
)  # fmt: skip
def upload_model(call: Call) -> Response:
    """Upload a model file (.pt or .onnx) into a project."""
    p, f = call.platform, call.form
    filename, data, _ = call.files["file"]
    p.storage.require_room(call.account, len(data))
    model = p.models.upload(call.account, f.projectId, f.name, filename, data, f.task)
    return envelope.ok(model_view(model), 201)


@routes.get("/api/models/{modelId}", scope=SCOPE, response=ModelView)
def get_model(call: Call) -> Response:
    """One model."""
    return envelope.ok(model_view(call.platform.models.get(call.account, call.params["modelId"])))


@routes.delete("/api/models/{modelId}", scope=SCOPE, response=TrashedView)
def delete_model(call: Call) -> Response:
    """Move a model to the trash."""
    item = call.platform.models.delete(call.account, call.params["modelId"])
    return envelope.ok(trashed_view(item))


@routes.get("/api/models/{modelId}/files", scope=SCOPE, response=ModelFilesView)
def model_files(call: Call) -> Response:
    """Signed, expiring download URLs for the model's weights."""
    model, files = call.platform.models.files(call.account, call.params["modelId"])
    return envelope.ok(model_files_view(model, files, call.base_url))
