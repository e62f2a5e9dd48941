"""What is inside a dataset: its images (paged, with labels and signed URLs), class statistics,
ingest of uploaded archives, and the models trained on it."""

from __future__ import annotations

from typing import Literal, NotRequired

from pydantic import Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.inputs import Body, Query
from ulmock.api.operations import Call
from ulmock.api.platform.access import by_public_id, dataset_at
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.image_files import extension, image_file, image_id, signed_url
from ulmock.api.platform.integrations import BucketReference, upload_from_bucket
from ulmock.api.platform.routes import CONFLICTING, PlatformRoutes, ok
from ulmock.api.platform.status import LiveStatus, last_training, model_status, tell_times
from ulmock.api.platform.vocabulary import Task, TrueFalse
from ulmock.domain.clock import iso
from ulmock.domain.dataset_stats import Bin, dataset_stats
from ulmock.domain.entities import Dataset, DatasetImage
from ulmock.domain.errors import NotFound, ValidationError

routes = PlatformRoutes("Datasets")
LABELS_CAP = 100  # preview annotations per image, as the live service caps them
SORTS = (
    "newest",
    "oldest",
    "name-asc",
    "name-desc",
    "height-asc",
    "height-desc",
    "width-asc",
    "width-desc",
    "size-asc",
    "size-desc",
    "labels-desc",
    "labels-asc",
)


class Label(TypedDict):
    classId: int
    bbox: list[float]


class ImageView(TypedDict):
    id: str
    hash: str
    ext: str
    thumbnailUrl: NotRequired[str]
    imageUrl: NotRequired[str]
    width: int
    height: int
    split: Literal["train", "val", "test"]
    labelCount: int
    name: str
    bytes: NotRequired[int]
    labels: NotRequired[list[Label]]
    labelsTruncated: NotRequired[Literal[True]]


class ImagePage(TypedDict):
    images: list[ImageView]
    total: NotRequired[int]
    hasMore: bool
    classes: list[str]
    errorCount: int
    nextCursor: NotRequired[str]


class ClassStat(TypedDict):
    classId: float
    count: float
    imageCount: float


class HistogramBin(TypedDict):
    bin: float
    count: float


class ImageStats(TypedDict):
    widthHistogram: list[HistogramBin]
    heightHistogram: list[HistogramBin]
    pointsHistogram: list[HistogramBin]
    formatDistribution: dict[str, float]
    fileSizeHistogram: list[HistogramBin]
    objectsPerImageHistogram: list[HistogramBin]
    bboxWidthHistogram: list[HistogramBin]
    bboxHeightHistogram: list[HistogramBin]
    bboxWidthNormHistogram: list[HistogramBin]
    bboxHeightNormHistogram: list[HistogramBin]


class Heatmap(TypedDict):
    bins: list[list[float]]
    maxCount: float


class DimensionHeatmap(Heatmap):
    minWidth: float
    maxWidth: float
    minHeight: float
    maxHeight: float


class ClassStats(TypedDict):
    classes: list[ClassStat]
    imageStats: ImageStats
    locationHeatmap: Heatmap
    dimensionHeatmap: DimensionHeatmap
    classNames: list[str]
    cached: bool
    sampleSize: NotRequired[float | None]


class IngestQueued(TypedDict):
    jobId: str
    status: Literal["queued"]


class TrainedModel(TypedDict):
    id: str
    owner: str
    project: str
    model: str
    name: str
    status: LiveStatus
    task: NotRequired[Task]
    epochs: NotRequired[int]
    metrics: dict[str, float]
    startedAt: NotRequired[str]
    completedAt: NotRequired[str]
    createdAt: str


class TrainedModels(TypedDict):
    models: list[TrainedModel]
    count: int


class ImageQuery(Query):
    limit: int = Field(50, ge=1, le=500, description="Maximum images to return")
    offset: int = Field(0, ge=0, le=10_000_000, description="Images to skip")
    cursor: str | None = Field(None, max_length=64, description="Last image ID from the previous page")
    includeTotal: TrueFalse = "false"
    split: Literal["train", "val", "test"] | None = None
    hasError: TrueFalse | None = None
    hasLabel: TrueFalse | None = None
    classIds: str | None = Field(None, max_length=4000, description="Comma-separated class IDs; empty matches none")
    search: str | None = Field(None, max_length=200, description="Image name search")
    sort: Literal[SORTS] = "newest"  # type: ignore[valid-type]
    includeThumbnails: TrueFalse = "false"
    includeImageUrls: TrueFalse = "false"
    includeLabels: TrueFalse = "false"


class IngestRequest(Body):
    sessionId: str | None = Field(None, min_length=1, max_length=64)
    sourceUrl: str | None = Field(None, max_length=2000)
    targetSplit: Literal["train", "val", "test"] | None = None
    conflictPolicy: Literal["skip", "keep_both", "replace"] = "skip"
    reference: BucketReference | None = Field(None, description="A connected cloud source (a storage integration)")


def _filtered(call: Call, dataset: Dataset, q: ImageQuery) -> list[DatasetImage]:
    images = list(dataset.images)
    if q.split is not None:
        images = [i for i in images if i.split == q.split]
    if q.hasLabel is not None:
        images = [i for i in images if i.labeled == (q.hasLabel == "true")]
    if q.hasError == "true":
        images = []  # every stored image was read successfully: unreadable ones are skipped at ingest
    if q.classIds is not None:
        try:
            wanted = {int(c) for c in q.classIds.split(",") if c.strip()}
        except ValueError:
            raise ValidationError("classIds must be comma-separated integers", {"classIds": q.classIds[:100]}) from None
        images = [i for i in images if wanted & {int(b[0]) for b in i.annotations.get("boxes", [])}]
    if q.search:
        needle = q.search.lower()
        names = [n.lower() for n in dataset.class_names]
        images = [
            i
            for i in images
            if needle in i.file.lower()
            or any(needle in names[int(b[0])] for b in i.annotations.get("boxes", []) if int(b[0]) < len(names))
        ]
    blobs = call.platform.world.blobs.blobs
    keys = {
        "newest": None,
        "oldest": None,
        "name-asc": lambda i: i.file,
        "name-desc": lambda i: i.file,
        "height-asc": lambda i: i.height,
        "height-desc": lambda i: i.height,
        "width-asc": lambda i: i.width,
        "width-desc": lambda i: i.width,
        "size-asc": lambda i: blobs[i.blob_id].size if i.blob_id in blobs else 0,
        "size-desc": lambda i: blobs[i.blob_id].size if i.blob_id in blobs else 0,
        "labels-asc": lambda i: len(i.annotations.get("boxes", [])),
        "labels-desc": lambda i: len(i.annotations.get("boxes", [])),
    }
    key = keys[q.sort]
    if key is None:
        return images[::-1] if q.sort == "newest" else images
    return sorted(images, key=key, reverse=q.sort.endswith("-desc"))


def _view(call: Call, dataset: Dataset, image: DatasetImage, q: ImageQuery) -> ImageView:
    boxes = image.annotations.get("boxes", [])
    view = ImageView(
        **image_file(call, dataset, image),
        ext=extension(image.file),
        labelCount=len(boxes),
        name=image.file,
    )
    if q.includeImageUrls == "true" or q.includeThumbnails == "true":
        url = signed_url(call, dataset, image)
        if q.includeImageUrls == "true":
            view["imageUrl"] = url
        if q.includeThumbnails == "true":
            view["thumbnailUrl"] = url  # ulmock keeps no thumbnails: the image itself, which any viewer scales
    if q.includeLabels == "true":
        view["labels"] = [Label(classId=int(b[0]), bbox=[float(v) for v in b[1:5]]) for b in boxes[:LABELS_CAP]]
        if len(boxes) > LABELS_CAP:
            view["labelsTruncated"] = True
    return view


@routes.get("/api/datasets/{owner}/{dataset}/images", query=ImageQuery, response=ImagePage)
def dataset_images(call: Call) -> Response:
    """A page of images, filtered and sorted, optionally with signed URLs and labels."""
    dataset = dataset_at(call, readable=True)
    q: ImageQuery = call.query
    images = _filtered(call, dataset, q)
    start = q.offset
    if q.cursor is not None:
        after = next((n for n, i in enumerate(images) if image_id(dataset, i) == q.cursor), None)
        if after is None:
            raise ValidationError("Unknown cursor: pass the nextCursor of the previous page", {"cursor": q.cursor})
        start = after + 1
    page = images[start : start + q.limit]
    more = start + q.limit < len(images)
    answer = ImagePage(
        images=[_view(call, dataset, i, q) for i in page], hasMore=more, classes=list(dataset.class_names), errorCount=0
    )
    if q.includeTotal == "true":
        answer["total"] = len(images)
    if more and page:
        answer["nextCursor"] = image_id(dataset, page[-1])
    return ok(answer)


def _bins(bins: list[Bin]) -> list[HistogramBin]:
    return [HistogramBin(bin=b.start, count=b.count) for b in bins]


@routes.get("/api/datasets/{owner}/{dataset}/class-stats", response=ClassStats)
def class_stats(call: Call) -> Response:
    """Class counts, image and box distributions and heatmaps, computed from the labels."""
    dataset = dataset_at(call, readable=True)
    s = dataset_stats(call.platform.world, dataset)
    points = _bins([Bin(b.start * 4, b.count) for b in s.objects_per_image])  # a box is 4 corner points
    return ok(
        ClassStats(
            classes=[ClassStat(classId=c.class_id, count=c.boxes, imageCount=c.images) for c in s.classes],
            imageStats=ImageStats(
                widthHistogram=_bins(s.widths),
                heightHistogram=_bins(s.heights),
                pointsHistogram=points,
                formatDistribution={k: float(v) for k, v in s.formats.items()},
                fileSizeHistogram=_bins(s.file_sizes),
                objectsPerImageHistogram=_bins(s.objects_per_image),
                bboxWidthHistogram=_bins(s.box_widths),
                bboxHeightHistogram=_bins(s.box_heights),
                bboxWidthNormHistogram=_bins(s.box_widths_norm),
                bboxHeightNormHistogram=_bins(s.box_heights_norm),
            ),
            locationHeatmap=Heatmap(
                bins=[[float(c) for c in row] for row in s.location_heatmap],
                maxCount=max((max(r) for r in s.location_heatmap), default=0),
            ),
            dimensionHeatmap=DimensionHeatmap(
                bins=[[float(c) for c in row] for row in s.dimension_heatmap],
                maxCount=max((max(r) for r in s.dimension_heatmap), default=0),
                minWidth=s.box_width_range[0],
                maxWidth=s.box_width_range[1],
                minHeight=s.box_height_range[0],
                maxHeight=s.box_height_range[1],
            ),
            classNames=list(dataset.class_names),
            cached=False,
            sampleSize=len(dataset.images),
        )
    )


@routes.post(
    "/api/datasets/{owner}/{dataset}/ingest",
    body=IngestRequest,
    response=IngestQueued,
    status=201,
    errors=CONFLICTING,
    category="upload",
)
def ingest(call: Call) -> Response:
    """Process an uploaded archive into this dataset; it is `processing` until the clock gets there."""
    dataset = dataset_at(call)
    body: IngestRequest = call.body
    if body.sessionId is None and body.reference is not None:
        run = call.platform.ingest.start(
            call.account,
            dataset,
            upload_from_bucket(call, dataset.id, body.reference),
            target_split=body.targetSplit,
            conflict_policy=body.conflictPolicy,
        )
        return ok(IngestQueued(jobId=public_id(run.job_id), status="queued"), 201)
    if body.sessionId is None:
        if body.sourceUrl is not None:
            raise ValidationError(
                "ulmock cannot fetch remote archives: upload the file and pass its sessionId",
                {"sourceUrl": "not supported"},
            )
        raise ValidationError("Invalid request body: sessionId: Field required", {"sessionId": "required"})
    session = by_public_id(call, "upload", body.sessionId)
    if session is None:
        raise NotFound("Upload session not found")
    run = call.platform.ingest.start(
        call.account, dataset, session.id, target_split=body.targetSplit, conflict_policy=body.conflictPolicy
    )
    return ok(IngestQueued(jobId=public_id(run.job_id), status="queued"), 201)


@routes.get("/api/datasets/{owner}/{dataset}/models", response=TrainedModels)
def dataset_models(call: Call) -> Response:
    """Your models trained on this dataset."""
    p = call.platform
    dataset = dataset_at(call, readable=True)
    w = p.world
    account = call.account
    projects = w.projects(account.id)
    trained_on = {t.model_id for t in w.trainings(account.id).values() if t.dataset_id == dataset.id}
    out: list[TrainedModel] = []
    for model in w.models(account.id).values():
        if model.id not in trained_on and model.dataset_id != dataset.id:
            continue
        project = projects.get(model.project_id)
        run = last_training(w, model)
        item = TrainedModel(
            id=public_id(model.id),
            owner=account.username,
            project=project.slug if project else "",
            model=model.slug,
            name=model.name,
            status=model_status(model, run),
            task=model.task,  # type: ignore[typeddict-item]
            metrics=dict(model.metrics),
            createdAt=iso(model.created_at),
        )
        if run is not None:
            tell_times(item, run)
        out.append(item)
    return ok(TrainedModels(models=out, count=len(out)))
