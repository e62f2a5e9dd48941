"""/api/exports: convert a model to a deployment format; download the artifact when done."""

from __future__ import annotations

from typing import Literal

from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.files import signed_urls
from ulmock.api.operations import Call
from ulmock.api.reference import envelope
from ulmock.api.reference.requests import CreateExport, ExportListQuery
from ulmock.api.reference.routes import ReferenceRoutes
from ulmock.api.reference.views import shape
from ulmock.domain.clock import iso
from ulmock.domain.entities import Export
from ulmock.domain.signing import SignedPath


@shape
class ExportView(TypedDict):
    id: str
    modelId: str
    format: str
    status: Literal["queued", "running", "completed", "failed"]
    fileName: str
    size: int | None
    downloadUrl: str | None
    expiresAt: str | None
    error: str | None
    createdAt: str
    completedAt: str | None


def export_view(e: Export, signed: SignedPath | None, base_url: str) -> ExportView:
    return {
        "id": e.id,
        "modelId": e.model_id,
        "format": e.format,
        # The domain also knows "cancelled" (the live face cancels); the seed's contract never listed it.
        "status": e.status,  # type: ignore[typeddict-item]
        "fileName": e.file_name,
        "size": e.size if e.blob_id else None,
        "downloadUrl": signed.absolute(base_url) if signed else None,
        "expiresAt": iso(signed.expires_at) if signed else None,
        "error": e.error,
        "createdAt": iso(e.created_at),
        "completedAt": iso(e.completed_at) if e.completed_at is not None else None,
    }


routes = ReferenceRoutes("exports", scope="exports")


@routes.get("/api/exports", query=ExportListQuery, response=ExportView, paginated=True)
def list_exports(call: Call) -> Response:
    """Your exports, newest first; filter by model."""
    q, exports = call.query, call.platform.exports
    page = exports.list(call.account, q.page, q.limit, q.modelId)
    signer = call.platform.world.signer
    return envelope.paged(
        page, [export_view(e, signed_urls.signed(signer, exports.download(e)), call.base_url) for e in page.items]
    )


@routes.create("/api/exports", "exportId", "get_export", body=CreateExport, response=ExportView)
def create_export(call: Call) -> ExportView:
    """Export a model to a format; fires `export.completed` when the artifact is ready."""
    exports = call.platform.exports
    export = exports.create(call.account, call.body.modelId, call.body.format)
    return export_view(export, None, call.base_url)


@routes.get("/api/exports/{exportId}", response=ExportView)
def get_export(call: Call) -> ExportView:
    """One export; a completed one carries a signed, expiring download URL."""
    exports = call.platform.exports
    export = exports.get(call.account, call.params["exportId"])
    return export_view(export, signed_urls.signed(call.platform.world.signer, exports.download(export)), call.base_url)
