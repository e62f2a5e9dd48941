"""The routes the `ultralytics` package calls (owner/slug paths and training callbacks).

They sit beside the id-based reference routes over the same domain. Their answers
mirror the fields at the top level as well (`mirrored=True`, see `ulmock.api.reference.envelope`):
the SDK reads them there.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

from ulmock.api import sdk_reports
from ulmock.api.files import signed_urls
from ulmock.api.inputs import CheckpointUploadRequest, TrainingReport
from ulmock.api.operations import Call
from ulmock.api.reference.models import ModelFilesView, model_files_view
from ulmock.api.reference.routes import ReferenceRoutes
from ulmock.api.reference.views import shape
from ulmock.domain.clock import iso


@shape
class TrainingReportView(TypedDict):
    received: Literal[True]
    event: str
    modelId: str
    modelSlug: str
    modelUrl: str
    runId: int
    cancelled: bool


@shape
class CheckpointUploadView(TypedDict):
    uploadUrl: str
    gcsPath: str
    uploadPath: str
    modelId: str
    expiresAt: str


routes = ReferenceRoutes("sdk")


@routes.get("/api/models/{owner}/{project}/{model}/files", scope="models", response=ModelFilesView, mirrored=True)
def model_files_by_slug(call: Call) -> ModelFilesView:
    """The SDK's `YOLO("ul://owner/project/model")`: signed download URLs of the weights."""
    p, params = call.platform, call.params
    model = p.sdk_workspace.by_path(call.account, params["owner"], params["project"], params["model"])
    model, files = p.models.files(call.account, model.id)
    return model_files_view(model, signed_urls.signed_files(p.world.signer, files), call.base_url)


@routes.post(
    "/api/webhooks/training/metrics",
    scope="training",
    body=TrainingReport,
    response=TrainingReportView,
    mirrored=True,
    max_body=sdk_reports.REPORT_BODY_LIMIT,
)
def report_training(call: Call) -> TrainingReportView:
    """A training event from the SDK; `training_started` creates the model (and project) it reports to."""
    reported = sdk_reports.pass_on(call, call.body.modelId)
    report, model = reported.report, reported.report.model
    return {
        "received": True,
        "event": call.body.event,
        "modelId": model.id,
        "modelSlug": model.slug,
        "modelUrl": reported.model_page,
        "runId": report.training.run_id or 0,
        "cancelled": report.cancelled,
    }


@routes.post(
    "/api/webhooks/models/upload",
    scope="training",
    body=CheckpointUploadRequest,
    response=CheckpointUploadView,
    mirrored=True,
)
def checkpoint_upload_url(call: Call) -> CheckpointUploadView:
    """A signed URL to PUT a training checkpoint to (`application/octet-stream`, no API key)."""
    b = call.body
    target = call.platform.sdk_uploads.upload_target(
        call.account, b.filename, b.modelId, b.runId, b.project, b.name, b.size
    )
    return {
        "uploadUrl": signed_urls.url(call.platform.world.signer, target.upload, call.base_url),
        "gcsPath": target.gcs_path,
        "uploadPath": signed_urls.path(target.upload.blob),
        "modelId": target.model.id,
        "expiresAt": iso(target.upload.expires_at),
    }
