"""Datasets: list, create, retrieve, update, delete (exports and saved versions: `dataset_versions`)."""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from pydantic import Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.inputs import Body, Query
from ulmock.api.operations import Call
from ulmock.api.platform.access import check_slug, dataset_at, landed, listed, owner_account, workspace
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.image_files import signed_url
from ulmock.api.platform.routes import CONFLICTING, CREATE, WRITE, PlatformRoutes, ok
from ulmock.api.platform.vocabulary import (
    ClassNames,
    Description,
    Metadata,
    Name,
    NewTask,
    RecordChanges,
    Region,
    Slug,
    Tags,
    Task,
    Visibility,
)
from ulmock.domain.clock import iso
from ulmock.domain.entities import Dataset
from ulmock.domain.errors import Conflict
from ulmock.domain.sizes import images_bytes

routes = PlatformRoutes("Datasets")
SAMPLE_IMAGES = 4


class Splits(TypedDict):
    train: int
    val: int
    test: int
    labeled: int


class SampleImage(TypedDict):
    url: str
    width: int
    height: int


class ProcessingError(TypedDict):
    message: str
    timestamp: str


class IngestSummary(TypedDict):
    added: int
    errors: int
    skippedCounts: dict[str, int]


class VersionView(TypedDict):
    version: int
    description: NotRequired[str]
    imageCount: int
    classCount: int
    annotationCount: int
    splits: Splits
    createdAt: str


class DatasetView(TypedDict):
    id: str
    owner: str
    dataset: str
    name: str
    description: NotRequired[str]
    visibility: Visibility
    task: Task
    imageCount: int
    classCount: NotRequired[int]
    classNames: NotRequired[list[str]]
    format: NotRequired[Literal["yolo", "coco", "raw", "ndjson"]]
    tags: NotRequired[list[str]]
    splits: Splits
    annotationCount: NotRequired[int]
    totalBytes: NotRequired[float]
    starCount: int
    isStarred: bool
    status: NotRequired[Literal["processing", "ready", "failed"]]
    sampleImages: NotRequired[list[SampleImage]]
    lastIngestJobId: NotRequired[str]
    processingError: NotRequired[ProcessingError]
    lastIngestSummary: NotRequired[IngestSummary]
    errorCount: NotRequired[int]
    region: NotRequired[Region]
    versions: NotRequired[list[VersionView]]
    createdAt: str
    updatedAt: str


class DatasetDetailView(DatasetView):
    metadata: dict[str, Any]


class DatasetList(TypedDict):
    datasets: list[DatasetView]
    total: int
    region: Region


class DatasetDetail(TypedDict):
    dataset: DatasetDetailView


class DatasetCreated(TypedDict):
    id: str
    owner: str
    dataset: str
    region: Region


class DatasetRenamed(TypedDict):
    success: Literal[True]
    dataset: str


class DatasetDeleted(TypedDict):
    success: Literal[True]


class ListQuery(Query):
    limit: int = Field(20, ge=1, le=500, description="Maximum datasets to return")
    includeSamples: Literal["true", "false"] = Field("false", description="Include sample image previews")
    includeImageUrls: Literal["true", "false"] = Field("false", description="Include sample image URLs")


class NewDataset(Body):
    dataset: Slug = Field(description="URL slug")
    name: Name
    description: Description | None = None
    metadata: Metadata | None = None
    visibility: Visibility = "private"
    task: NewTask = "detect"
    classNames: ClassNames = Field(default_factory=list)
    tags: Tags = Field(default_factory=list)
    owner: str | None = None


class DatasetChanges(RecordChanges):
    classNames: ClassNames | None = None
    task: NewTask | None = None


def splits(dataset_images: Any) -> Splits:
    counts = {"train": 0, "val": 0, "test": 0}
    labeled = 0
    for image in dataset_images:
        counts[image.split] += 1
        labeled += image.labeled
    return Splits(train=counts["train"], val=counts["val"], test=counts["test"], labeled=labeled)


def annotation_count(images: Any) -> int:
    return sum(len(i.annotations.get("boxes", [])) for i in images)


def dataset_view(call: Call, dataset: Dataset, *, samples: bool = False) -> DatasetView:
    p = call.platform
    w = p.world
    owner = owner_account(call, dataset)
    view = DatasetView(
        id=public_id(dataset.id),
        owner=owner.username,
        dataset=dataset.slug,
        name=dataset.name,
        description=dataset.description,
        visibility=dataset.visibility,
        task=dataset.task,  # type: ignore[typeddict-item]
        imageCount=len(dataset.images),
        classCount=len(dataset.class_names),
        classNames=list(dataset.class_names),
        format="yolo",
        tags=list(dataset.tags),
        splits=splits(dataset.images),
        annotationCount=annotation_count(dataset.images),
        totalBytes=images_bytes(w.blobs, dataset.images),
        starCount=int(dataset.starred),
        isStarred=dataset.starred and owner.id == call.account.id,
        status=dataset.status,
        region=owner.region,
        versions=[
            VersionView(
                version=v.number,
                description=v.description,
                imageCount=len(v.images),
                classCount=len(v.class_names),
                annotationCount=annotation_count(v.images),
                splits=splits(v.images),
                createdAt=iso(v.created_at),
            )
            for v in dataset.versions
        ],
        createdAt=iso(dataset.created_at),
        updatedAt=iso(dataset.updated_at),
    )
    run = dataset.last_ingest
    if run is not None:
        view["lastIngestJobId"] = public_id(run.job_id)
        view["errorCount"] = run.errors
        if run.finished_at is not None:
            view["lastIngestSummary"] = IngestSummary(added=run.added, errors=run.errors, skippedCounts=run.skipped)
        if run.error is not None:
            view["processingError"] = ProcessingError(
                message=run.error, timestamp=iso(run.finished_at or run.started_at)
            )
    if samples:
        view["sampleImages"] = [
            SampleImage(url=signed_url(call, dataset, i), width=i.width, height=i.height)
            for i in dataset.images[:SAMPLE_IMAGES]
        ]
    return view


@routes.get("/api/datasets/{owner}", query=ListQuery, response=DatasetList)
def list_datasets(call: Call) -> Response:
    """An owner's datasets: all for the owner, the public ones for anyone else."""
    owner, shown = listed(call, "dataset")
    samples = call.query.includeSamples == "true"
    return ok(
        DatasetList(
            datasets=[dataset_view(call, d, samples=samples) for d in shown[: call.query.limit]],
            total=len(shown),
            region=owner.region,
        )
    )


@routes.post("/api/datasets", body=NewDataset, response=DatasetCreated, status=201, errors=CREATE)
def create_dataset(call: Call) -> Response:
    """Create an empty dataset; a taken slug is 409."""
    body: NewDataset = call.body
    account = workspace(call, body.owner)
    dataset = call.platform.datasets.create(
        account,
        body.name,
        body.task,
        body.description,
        class_names=body.classNames,
        visibility=body.visibility,
        slug=check_slug(body.dataset, "dataset"),
        tags=body.tags,
        metadata=body.metadata,
    )
    return ok(DatasetCreated(**landed(account, dataset), dataset=dataset.slug), 201)


@routes.get("/api/datasets/{owner}/{dataset}", response=DatasetDetail)
def retrieve_dataset(call: Call) -> Response:
    """One dataset: yours, or someone's public one."""
    dataset = dataset_at(call, readable=True)
    view = dataset_view(call, dataset, samples=True)
    return ok(DatasetDetail(dataset=DatasetDetailView(**view, metadata=dict(dataset.metadata))))


@routes.patch("/api/datasets/{owner}/{dataset}", body=DatasetChanges, response=DatasetRenamed, errors=CONFLICTING)
def update_dataset(call: Call) -> Response:
    """Change a dataset; a new name moves it to the new slug (409 when taken)."""
    dataset = dataset_at(call)
    body: DatasetChanges = call.body
    changes = body.changes()
    if "classNames" in changes:
        changes["class_names"] = changes.pop("classNames")
    if "task" in changes and changes["task"] != dataset.task and dataset.images:
        raise Conflict("The task of a dataset with images cannot change", {"task": dataset.task})
    dataset = call.platform.datasets.update(call.account, dataset.id, name=body.name, **changes)
    return ok(DatasetRenamed(success=True, dataset=dataset.slug))


@routes.delete("/api/datasets/{owner}/{dataset}", response=DatasetDeleted, errors=WRITE)
def delete_dataset(call: Call) -> Response:
    """Move a dataset to the trash for 30 days."""
    dataset = dataset_at(call)
    call.platform.datasets.delete(call.account, dataset.id)
    return ok(DatasetDeleted(success=True))
