"""Exports under the model: create, list, retrieve, and cancel-or-delete.

The live contract names formats its own way: `engine` is TensorRT, `pb` GraphDef, and
`litert` what the reference face calls `tflite` (Google renamed TensorFlow Lite to
LiteRT); `tflite` and `tfjs` themselves are refused. An export the reference face made
to `tfjs` has no live name, so this face does not show it.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.files import signed_urls
from ulmock.api.inputs import Body, JsonInt
from ulmock.api.operations import Call
from ulmock.api.platform.access import model_at
from ulmock.api.platform.ids import find_public, public_id
from ulmock.api.platform.refusals import live_statuses
from ulmock.api.platform.routes import CONFLICTING, PlatformRoutes, ok
from ulmock.api.platform.vocabulary import CloudGpu, Region
from ulmock.domain.clock import iso
from ulmock.domain.entities import Export, Model
from ulmock.domain.errors import Conflict, NotFound

routes = PlatformRoutes("Exports")
LiveFormat = Literal[
    "torchscript",
    "onnx",
    "openvino",
    "engine",
    "coreml",
    "coreai",
    "saved_model",
    "pb",
    "edgetpu",
    "litert",
    "paddle",
    "mnn",
    "ncnn",
    "imx",
    "rknn",
    "executorch",
    "axelera",
    "deepx",
    "qnn",
    "hailo",
    "ascend",
    "xilinx",
]
# live name -> the domain's
DOMAIN_FORMAT: dict[str, str] = {
    "torchscript": "torchscript",
    "onnx": "onnx",
    "openvino": "openvino",
    "engine": "tensorrt",
    "coreml": "coreml",
    "coreai": "coreai",
    "saved_model": "saved_model",
    "pb": "graphdef",
    "edgetpu": "edgetpu",
    "litert": "tflite",
    "paddle": "paddle",
    "mnn": "mnn",
    "ncnn": "ncnn",
    "imx": "imx",
    "rknn": "rknn",
    "executorch": "executorch",
    "axelera": "axelera",
    "deepx": "deepx",
    "qnn": "qnn",
    "hailo": "hailo",
    "ascend": "ascend",
    "xilinx": "xilinx",
}
LIVE_FORMAT: dict[str, LiveFormat] = {domain: live for live, domain in DOMAIN_FORMAT.items()}  # type: ignore[misc]
ExportStatus = Literal["queued", "starting", "running", "completed", "failed", "cancelled"]
ExportGpu = Literal[
    CloudGpu,
    "jetson-thor-t5000",
    "jetson-thor-t4000",
    "jetson-agx-orin-64gb",
    "jetson-agx-orin-32gb",
    "jetson-orin-nx-16gb",
    "jetson-orin-nx-8gb",
    "jetson-orin-nano-8gb",
    "jetson-orin-nano-4gb",
]
Quantize = Literal[8, 16, 32, "8", "16", "32", "int8", "fp16", "fp32", "w8a8", "w16a16", "w32a32", "w8a16", "w8a32"]


class ExportFile(TypedDict):
    size: NotRequired[int]
    downloadUrl: NotRequired[str]
    downloadFilename: NotRequired[str]


class ExportError(TypedDict):
    message: str
    timestamp: str


class ExportItem(TypedDict):
    id: str
    status: ExportStatus
    format: LiveFormat
    args: NotRequired[dict[str, Any]]
    gpuType: NotRequired[str]
    file: NotRequired[ExportFile]
    error: NotRequired[ExportError]
    startedAt: NotRequired[str]
    completedAt: NotRequired[str]
    createdAt: str
    updatedAt: str


class ExportDetail(TypedDict):
    export: ExportItem


class ExportList(TypedDict):
    exports: list[ExportItem]
    region: Region


class ExportCreated(TypedDict):
    id: str
    format: LiveFormat
    status: Literal["queued", "running"]
    gpuType: NotRequired[str]
    region: Region


class ExportRemoved(TypedDict):
    success: Literal[True]
    action: Literal["cancelled", "deleted"]


class ExportArgs(Body):
    """Export options Ultralytics knows; any other is refused."""

    model_config = ConfigDict(strict=True, extra="forbid")
    imgsz: JsonInt | None = Field(None, ge=32, le=2048)
    quantize: Quantize | None = None
    dynamic: bool | None = None
    simplify: bool | None = None
    opset: JsonInt | None = Field(None, ge=7, le=24)
    conf: float | None = Field(None, ge=0, le=1)
    iou: float | None = Field(None, ge=0, le=1)
    batch: JsonInt | None = Field(None, ge=1, le=1024)
    workspace: float | None = Field(None, ge=0, le=1024)
    nms: bool | None = None
    end2end: bool | None = None
    optimize: bool | None = None
    keras: bool | None = None
    name: str | None = Field(None, min_length=1, max_length=32, description="Target chip (rknn, qnn, hailo, ascend)")


class CreateExport(Body):
    format: LiveFormat
    gpuType: ExportGpu | None = Field(None, description="The GPU a TensorRT engine is built for")
    args: ExportArgs | None = None


class ExportListQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    status: ExportStatus | None = None
    limit: int = Field(20, ge=1, le=100)


def shown(e: Export) -> bool:
    return e.format in LIVE_FORMAT


def export_item(call: Call, e: Export) -> ExportItem:
    item = ExportItem(
        id=public_id(e.id),
        status=e.status,
        format=LIVE_FORMAT[e.format],
        createdAt=iso(e.created_at),
        updatedAt=iso(max(t for t in (e.created_at, e.started_at, e.completed_at) if t is not None)),
    )
    if e.args:
        item["args"] = dict(e.args)
    if e.gpu_type:
        item["gpuType"] = e.gpu_type
    download = call.platform.exports.download(e)
    if download is not None:
        url = signed_urls.url(call.platform.world.signer, download, call.base_url)
        item["file"] = ExportFile(size=e.size, downloadUrl=url, downloadFilename=e.file_name)
    if e.error:
        item["error"] = ExportError(message=e.error, timestamp=iso(e.completed_at or e.created_at))
    if e.started_at is not None:
        item["startedAt"] = iso(e.started_at)
    if e.completed_at is not None:
        item["completedAt"] = iso(e.completed_at)
    return item


def exports_of(call: Call, model: Model) -> list[Export]:
    rows, _ = call.platform.world.exports(call.account.id).newest_first(model_id=model.id)
    return [e for e in rows if shown(e)]


def export_at(call: Call) -> Export:
    _, model = model_at(call)
    found: Export | None = find_public(exports_of(call, model), call.params["exportId"])
    if found is None:
        raise NotFound("Export not found")
    return found


@routes.post(
    "/api/models/{owner}/{project}/{model}/exports",
    body=CreateExport,
    response=ExportCreated,
    status=201,
    category="export",
    errors=CONFLICTING,
)
def create_export(call: Call) -> Response:
    """Convert the model to a deployment format; it moves queued -> running -> completed on the clock."""
    b, exports = call.body, call.platform.exports
    _, model = model_at(call)
    fmt = DOMAIN_FORMAT[b.format]
    args = b.args.model_dump(exclude_none=True) if b.args is not None else {}
    gpu = b.gpuType if b.format == "engine" else None  # only a TensorRT engine is built for one GPU
    if exports.in_flight(call.account, model.id, fmt, args, gpu) is not None:
        raise Conflict(f"An equivalent {b.format} export of this model is already in progress")
    with live_statuses():
        export = exports.create(call.account, model.id, fmt, args, gpu)
    created = ExportCreated(id=public_id(export.id), format=b.format, status="queued", region=call.account.region)
    if gpu:
        created["gpuType"] = gpu
    return ok(created, 201)


@routes.get("/api/models/{owner}/{project}/{model}/exports", query=ExportListQuery, response=ExportList)
def list_exports(call: Call) -> Response:
    """The model's exports, newest first; completed ones carry a signed download URL."""
    _, model = model_at(call)
    q = call.query
    rows = [e for e in exports_of(call, model) if q.status is None or e.status == q.status][: q.limit]
    return ok(ExportList(exports=[export_item(call, e) for e in rows], region=call.account.region))


@routes.get("/api/models/{owner}/{project}/{model}/exports/{exportId}", response=ExportDetail)
def get_export(call: Call) -> Response:
    """One export: its status, and the artifact's download URL once complete."""
    return ok(ExportDetail(export=export_item(call, export_at(call))))


@routes.delete("/api/models/{owner}/{project}/{model}/exports/{exportId}", response=ExportRemoved)
def delete_export(call: Call) -> Response:
    """Cancel an export still under way, or delete a finished one and its file."""
    export, exports = export_at(call), call.platform.exports
    if export.status in ("queued", "running"):
        exports.cancel(call.account, export.id)
        return ok(ExportRemoved(success=True, action="cancelled"))
    exports.remove(call.account, export.id)
    return ok(ExportRemoved(success=True, action="deleted"))
