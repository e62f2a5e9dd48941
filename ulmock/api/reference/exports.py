"""/api/exports: convert a model to a deployment format; download the artifact when done."""

from __future__ import annotations

from starlette.responses import Response

from ulmock.api import downloads
from ulmock.api.reference import envelope
from ulmock.api.routing import Call, Routes
from ulmock.api.schemas import CreateExport, ExportListQuery
from ulmock.api.reference.views import ExportView, export_view

routes = Routes("exports")
SCOPE = "exports"


@routes.get("/api/exports", scope=SCOPE, query=ExportListQuery, response=ExportView, paginated=True)
def list_exports(call: Call) -> Response:
    """Your exports, newest first; filter by model."""
    q, exports = call.query, call.platform.exports
    page = exports.list(call.account, q.page, q.limit, q.modelId)
    signer = call.platform.world.signer
    return envelope.paged(page, [export_view(e, downloads.signed(signer, exports.download(e)), call.base_url)
                                 for e in page.items])  # fmt: skip


@routes.post(
    "/api/exports", scope=SCOPE, body=CreateExport, response=ExportView, status=201,
    links={"GetExport": {"operationId": "get_export", "parameters": {"exportId": "$response.body#/data/id"}}},
)  # fmt: skip
def create_export(call: Call) -> Response:
    """Export a model to a format; fires `export.completed` when the artifact is ready."""
    exports = call.platform.exports
    export = exports.create(call.account, call.body.modelId, call.body.format)
    return envelope.ok(export_view(export, None, call.base_url), 201)


@routes.get("/api/exports/{exportId}", scope=SCOPE, response=ExportView)
def get_export(call: Call) -> Response:
    """One export; a completed one carries a signed, expiring download URL."""
    exports = call.platform.exports
    export = exports.get(call.account, call.params["exportId"])
    return envelope.ok(export_view(export, downloads.signed(call.platform.world.signer, exports.download(export)),
                                   call.base_url))  # fmt: skip
