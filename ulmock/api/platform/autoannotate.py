"""Auto-annotation with a real network: one image (`images.predict`) or a dataset (batch runs).

`modelId` is `ul://owner/project/model` (yours, or one of a public project), or an
official `ul://ultralytics/yolo26/...` name, which ulmock answers with its bundled COCO
network. The network's classes become the dataset's by name, or by `classMapping` (one
dataset class id, or null, per model class). Hosted assistants (qwen, sam3, ...) are
not emulated: 503, as the live service answers when one is not configured.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal, NotRequired

from pydantic import Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.platform.access import dataset_at
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.image_files import image_id
from ulmock.api.platform.images import images_by_id, signed_url
from ulmock.api.platform.routes import WRITE, PlatformRoutes, ok
from ulmock.api.platform.vocabulary import LenientBody
from ulmock.api.predictions import infer
from ulmock.domain.clock import iso
from ulmock.domain.connections import BatchRun, PlannedLabels
from ulmock.domain.entities import Dataset, DatasetImage, Model
from ulmock.domain.errors import ApiError, InternalError, NotFound, ValidationError

if TYPE_CHECKING:
    from ulmock.inference import Prediction  # its module loads numpy and onnxruntime

routes = PlatformRoutes("Images")
batch_routes = PlatformRoutes("Datasets")
UL_MODEL = re.compile(r"^ul://([A-Za-z0-9_-]{1,64})/([a-z0-9]+(?:-[a-z0-9]+)*)/([a-z0-9]+(?:-[a-z0-9]+)*)$")
OFFICIAL = re.compile(r"^ul://ultralytics/yolo26/yolo26[nsmlx]$")
PREVIEWS = 6
IMAGE_SIZE = 640  # as models.predict by default, so both give the same boxes


class PredictedLabel(TypedDict):
    classId: int
    bbox: list[float]


class ImagePredictions(TypedDict):
    success: Literal[True]
    predictions: list[PredictedLabel]
    partial: NotRequired[bool]
    confidences: NotRequired[list[float]]
    modelUsed: str
    inferenceTime: NotRequired[float]


class Progress(TypedDict):
    processed: float
    total: float


class Preview(TypedDict):
    imageId: str
    imageUrl: str
    thumbnailUrl: NotRequired[str]


class ActiveRun(TypedDict):
    id: str
    confidence: float
    boxScale: float
    stopping: bool
    previews: NotRequired[list[Preview]]
    progress: Progress
    startedAt: str


class RunResults(TypedDict):
    processed: int
    annotations: int
    classes: int


class FinishedRun(TypedDict):
    id: str
    confidence: float
    boxScale: float
    failed: bool
    stopped: bool
    error: str | None
    results: RunResults | None


class BatchStatus(TypedDict):
    activeJob: ActiveRun | None
    lastRun: FinishedRun | None


class BatchStarted(TypedDict):
    jobId: str


class BatchStopped(TypedDict):
    action: Literal["cancelled", "dismissed", "none"]
    jobId: str | None


class ImagePredictRequest(LenientBody):
    modelId: str = Field(min_length=1, max_length=300, description="ul://owner/project/model")
    confidence: float = Field(0.25, ge=0.01, le=1)
    iou: float = Field(0.7, ge=0, le=0.95)
    classMapping: list[int | None] | None = Field(
        None, max_length=25_000, description="Dataset class id (or null) for each model class"
    )
    visualPrompts: list[dict[str, Any]] | None = None


class BatchRequest(LenientBody):
    modelId: str | None = Field(None, min_length=1, max_length=300)
    confidence: float = Field(0.25, ge=0.01, le=1)
    iou: float = Field(0.7, ge=0, le=0.95)
    classMapping: list[int | None] | None = Field(None, max_length=25_000)
    operation: Literal["annotate", "blur"] = "annotate"
    includeAnnotated: bool = False


class StopQuery(LenientBody):
    previewJobId: str | None = Field(None, max_length=64)


def resolve_model(call: Call, ref: str) -> Model | None:
    """The model `ref` names (None: the bundled network, for official names); 404 like any unknown."""
    ref = ref.strip()
    if OFFICIAL.match(ref):
        return None
    m = UL_MODEL.match(ref)
    if m is None:
        if ref.startswith("ul://"):
            raise ValidationError("modelId must be ul://owner/project/model", {"modelId": ref[:100]})
        raise InternalError(
            f"Prediction service '{ref[:60]}' is not configured: ulmock runs YOLO models only", status=503
        )
    owner_name, project_slug, model_slug = m.groups()
    w = call.platform.world
    owner = call.platform.accounts.by_username(owner_name)
    if owner is None:
        raise NotFound("Model not found")
    projects, _ = w.projects(owner.id).newest_first(slug=project_slug)
    project = next(projects, None)
    if project is None or (owner.id != call.account.id and project.visibility != "public"):
        raise NotFound("Model not found")
    models, _ = w.models(owner.id).newest_first(slug=model_slug, project_id=project.id)
    model: Model | None = next(models, None)
    if model is None:
        raise NotFound("Model not found")
    return model


def to_dataset(
    prediction: Prediction, dataset: Dataset, mapping: list[int | None] | None
) -> tuple[list[list[float]], list[float]]:
    """The prediction's boxes as YOLO rows in the dataset's classes, and their confidences."""
    names = {n: i for i, n in enumerate(dataset.class_names)}
    model_names = prediction.class_names
    if mapping is None and not any(n in names for n in model_names.values()):
        raise ApiError(
            "Model classes do not match the dataset: pass classMapping", {"classMapping": "required"}, status=422
        )
    for target in mapping or []:
        if target is not None and not 0 <= target < len(dataset.class_names):
            raise ValidationError(
                f"classMapping: class {target} does not exist in the dataset", {"classMapping": target}
            )
    width, height = prediction.image_size
    boxes: list[list[float]] = []
    confidences: list[float] = []
    for cid, found in zip(prediction.class_ids, prediction.detections, strict=True):
        if mapping is not None:
            cls = mapping[cid] if cid < len(mapping) else None
        else:
            cls = names.get(model_names.get(cid, ""))
        if cls is None:
            continue
        b = found["box"]
        boxes.append(
            [
                cls,
                round((b["x1"] + b["x2"]) / 2 / width, 6),
                round((b["y1"] + b["y2"]) / 2 / height, 6),
                round((b["x2"] - b["x1"]) / width, 6),
                round((b["y2"] - b["y1"]) / height, 6),
            ]
        )
        confidences.append(round(float(found["confidence"]), 5))
    return boxes, confidences


async def predict_on(call: Call, model: Model | None, image: DatasetImage, confidence: float, iou: float) -> Prediction:
    with call.emulator.lock:
        data = call.platform.world.blobs.read(image.blob_id)
        model_file = call.emulator.model_file_path(model) if model is not None else None
    return await infer(call.emulator, data, model_file, confidence, iou, IMAGE_SIZE)


@routes.post(
    "/api/images/{imageId}/predict",
    body=ImagePredictRequest,
    response=ImagePredictions,
    category="predict",
    errors=(400, 401, 403, 404, 409, 422, 429, 503),
)
async def predict_image(call: Call) -> Response:
    """Labels a YOLO model predicts for this image, in the dataset's classes (nothing is saved)."""
    b: ImagePredictRequest = call.body
    if b.visualPrompts:
        raise ValidationError(
            "visualPrompts are for yoloe26x, which ulmock does not host", {"visualPrompts": "yoloe26x"}
        )
    with call.emulator.lock:
        ((dataset, image),) = images_by_id(call, [call.params["imageId"]])
        model = resolve_model(call, b.modelId)
    prediction = await predict_on(call, model, image, b.confidence, b.iou)
    with call.emulator.lock:
        boxes, confidences = to_dataset(prediction, dataset, b.classMapping)
    return ok(
        ImagePredictions(
            success=True,
            predictions=[PredictedLabel(classId=int(x[0]), bbox=x[1:5]) for x in boxes],
            confidences=confidences,
            modelUsed=b.modelId.strip(),
            inferenceTime=round(prediction.inference_ms, 1),
        )
    )


def _active(call: Call, dataset: Dataset, run: BatchRun) -> ActiveRun:
    previews = []
    for plan in run.planned[:PREVIEWS]:
        image = next((i for i in dataset.images if i.file == plan.file), None)
        if image is not None:
            previews.append(Preview(imageId=image_id(dataset, image), imageUrl=signed_url(call, dataset, image)))
    return ActiveRun(
        id=public_id(run.id),
        confidence=run.confidence,
        boxScale=1.0,
        stopping=False,
        previews=previews,
        progress=Progress(processed=run.applied, total=len(run.planned)),
        startedAt=iso(run.started_at or run.created_at),
    )


def _finished(run: BatchRun) -> FinishedRun:
    results = RunResults(processed=run.applied, annotations=run.annotations, classes=len(run.classes))
    return FinishedRun(
        id=public_id(run.id),
        confidence=run.confidence,
        boxScale=1.0,
        failed=run.status == "failed",
        stopped=run.status == "cancelled",
        error=run.error,
        results=results,
    )


@batch_routes.get("/api/datasets/{owner}/{dataset}/predict/batch", response=BatchStatus)
def batch(call: Call) -> Response:
    """The run under way with its progress, or the last finished one until it is dismissed."""
    dataset = dataset_at(call)
    active, done = call.platform.batches.status(call.account, dataset)
    return ok(
        BatchStatus(
            activeJob=_active(call, dataset, active) if active else None, lastRun=_finished(done) if done else None
        )
    )


@batch_routes.post(
    "/api/datasets/{owner}/{dataset}/predict/batch",
    body=BatchRequest,
    response=BatchStarted,
    status=202,
    category="predict",
    errors=(400, 401, 403, 404, 409, 422, 429, 503),
)
async def create_batch(call: Call) -> Response:
    """Save a version, then label the unlabeled images (all, with includeAnnotated) with the model, on the clock."""
    b: BatchRequest = call.body
    with call.emulator.lock:
        dataset = dataset_at(call)
        if b.operation == "blur":
            raise ValidationError("Face blurring is not emulated: ulmock has no face detector", {"operation": "blur"})
        if b.modelId is None:
            raise ValidationError("Invalid request body: modelId: Field required", {"modelId": "required"})
        call.platform.batches.check_free(call.account, dataset)
        model = resolve_model(call, b.modelId)
        todo = [i for i in dataset.images if b.includeAnnotated or not i.labeled]
    planned: list[PlannedLabels] = []
    for image in todo:
        prediction = await predict_on(call, model, image, b.confidence, b.iou)
        with call.emulator.lock:
            boxes, confidences = to_dataset(prediction, dataset, b.classMapping)
        planned.append(PlannedLabels(file=image.file, boxes=boxes, confidences=confidences))
    with call.emulator.lock:
        version, _ = call.platform.datasets.save_version(
            call.account, dataset, f"Before auto-annotation with {b.modelId}"
        )
        run = call.platform.batches.start(
            call.account, dataset, b.modelId.strip(), b.confidence, b.iou, b.includeAnnotated, planned, version.number
        )
    return ok(BatchStarted(jobId=public_id(run.id)), 202)


@batch_routes.delete(
    "/api/datasets/{owner}/{dataset}/predict/batch", query=StopQuery, response=BatchStopped, errors=WRITE
)
def delete_batch(call: Call) -> Response:
    """Cancel the run under way, or dismiss the last finished one."""
    action, run = call.platform.batches.stop(call.account, dataset_at(call))
    return ok(BatchStopped(action=action, jobId=public_id(run.id) if run else None))  # type: ignore[typeddict-item]
