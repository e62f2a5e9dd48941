"""The routes the `ultralytics` package calls (owner/slug paths and training callbacks).

They sit beside the id-based reference routes over the same domain. Their answers
mirror the fields at the top level as well (see `ulmock.api.reference.mirror`): the SDK reads them there.
"""

from __future__ import annotations

from starlette.responses import Response

from ulmock.api.reference import mirror
from ulmock.domain.clock import iso
from ulmock.api.routing import Call, Routes
from ulmock.api.schemas import CheckpointUploadRequest, TrainingReport
from ulmock.api.reference.views import (
    CheckpointUploadView,
    ModelFilesView,
    TrainingReportView,
    model_files_view,
)

routes = Routes("sdk")
REPORT_BODY_LIMIT = 8 * 1024 * 1024  # training_complete carries curves and per-image validation rows


@routes.get("/api/models/{owner}/{project}/{model}/files", scope="models", response=ModelFilesView,
            raw_response=mirror.answer_model(ModelFilesView))  # fmt: skip
def model_files_by_slug(call: Call) -> Response:
    """The SDK's `YOLO("ul://owner/project/model")`: signed download URLs of the weights."""
    p, params = call.platform, call.params
    model = p.sdk_workspace.by_path(call.account, params["owner"], params["project"], params["model"])
    model, files = p.models.files(call.account, model.id)
    return mirror.ok(model_files_view(model, files, call.base_url))


@routes.post("/api/webhooks/training/metrics", scope="training", body=TrainingReport, response=TrainingReportView,
             raw_response=mirror.answer_model(TrainingReportView), max_body=REPORT_BODY_LIMIT)  # fmt: skip
def report_training(call: Call) -> Response:
    """A training event from the SDK; `training_started` creates the model (and project) it reports to."""
    b, p = call.body, call.platform
    report = p.sdk_runs.report(call.account, b.event, b.data, b.modelId, b.project, b.name)
    model = report.model
    project = p.projects.get(call.account, model.project_id)
    return mirror.ok({
        "received": True,
        "event": b.event,
        "modelId": model.id,
        "modelSlug": model.slug,
        # The Platform's page of the model; the SDK only prints it (and maps it back to ul://).
        "modelUrl": f"{call.base_url}/{call.account.username}/{project.slug}/{model.slug}",
        "runId": report.training.run_id or 0,
        "cancelled": report.cancelled,
    })  # fmt: skip


@routes.post("/api/webhooks/models/upload", scope="training", body=CheckpointUploadRequest,
             response=CheckpointUploadView, raw_response=mirror.answer_model(CheckpointUploadView))  # fmt: skip
def checkpoint_upload_url(call: Call) -> Response:
    """A signed URL to PUT a training checkpoint to (`application/octet-stream`, no API key)."""
    b = call.body
    target = call.platform.sdk_uploads.upload_target(call.account, b.filename, b.modelId, b.runId, b.project, b.name,
                                                  b.size)  # fmt: skip
    return mirror.ok({
        "uploadUrl": target.signed.absolute(call.base_url),
        "gcsPath": target.gcs_path,
        "uploadPath": target.upload_path,
        "modelId": target.model.id,
        "expiresAt": iso(target.signed.expires_at),
    })  # fmt: skip
