"""Explore: public projects and datasets of every workspace, searched and paged."""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.platform.access import OWNER, owner_account
from ulmock.api.platform.datasets import SAMPLE_IMAGES, Splits, splits
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.image_files import image_id, signed_url
from ulmock.api.platform.routes import PlatformRoutes, ok
from ulmock.api.platform.vocabulary import Task
from ulmock.domain.catalogue import TASKS
from ulmock.domain.clock import iso
from ulmock.domain.entities import Dataset, DatasetImage, Project
from ulmock.domain.errors import ValidationError
from ulmock.domain.explore import SORTS, Explore, SearchFilters
from ulmock.domain.sizes import images_bytes

routes = PlatformRoutes("Explore")


class ProjectHit(TypedDict):
    id: str
    project: str
    name: str
    description: NotRequired[str]
    owner: str
    visibility: Literal["public", "private"]
    modelCount: int
    modelNames: list[str]
    totalBytes: float
    starCount: int
    updatedAt: str


class SampleLabel(TypedDict):
    classId: int
    bbox: NotRequired[list[Any]]


class SampleImage(TypedDict):
    url: str
    width: float
    height: float
    labels: NotRequired[list[SampleLabel]]


class DatasetHit(TypedDict):
    id: str
    dataset: str
    name: str
    description: NotRequired[str]
    owner: str
    visibility: Literal["public", "private"]
    imageCount: int
    classCount: NotRequired[int]
    classNames: NotRequired[list[str]]
    task: Task
    totalBytes: NotRequired[float]
    splits: NotRequired[Splits]
    starCount: int
    sampleImages: list[SampleImage]
    updatedAt: str


class ImageSource(TypedDict):
    owner: str
    dataset: str
    license: Literal["None"]  # the emulated world records no licenses


class ImageHit(TypedDict):
    name: str
    hash: str
    width: int
    height: int
    id: str
    thumbnailUrl: str
    imageUrl: NotRequired[str]
    dataset: ImageSource
    score: float


class SearchResults(TypedDict):
    projects: list[ProjectHit]
    datasets: list[DatasetHit]
    images: NotRequired[list[ImageHit]]
    hasMore: bool


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    q: str = Field("", max_length=200, description="Search term")
    type: Literal["all", "projects", "datasets", "images"] = Field(
        "all", description="Resource type filter; images searches what images show (public datasets and yours)"
    )
    sort: Literal[SORTS] = Field("newest", description="Sort order; relevance ranks matches for q")  # type: ignore[valid-type]
    offset: int = Field(0, ge=0, le=100_000, description="Results to skip")
    limit: int = Field(20, ge=1, le=100, description="Maximum results per resource type")
    task: str | None = Field(None, max_length=200, description="Comma-separated YOLO task filters")
    license: str | None = Field(None, max_length=200, description="Comma-separated license filters")
    author: str | None = Field(None, max_length=32, description="Owner username filter")
    starred: Literal["true", "false"] = Field("false", description="Only content starred by the caller")
    minImages: int | None = Field(None, ge=0, description="Minimum dataset image count")
    maxImages: int | None = Field(None, ge=0, description="Maximum dataset image count")


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip()) if value else ()


class Found(TypedDict):
    """What a project's hit and a dataset's show alike of the record, under the same keys."""

    id: str
    name: str
    description: str
    owner: str
    visibility: Literal["public", "private"]
    updatedAt: str


def found(call: Call, record: Project | Dataset) -> Found:
    return Found(
        id=public_id(record.id),
        name=record.name,
        description=record.description,
        owner=owner_account(call, record).username,
        visibility=record.visibility,
        updatedAt=iso(record.updated_at),
    )


def project_hit(call: Call, explore: Explore, project: Project) -> ProjectHit:
    models = explore.models_of(project)
    return ProjectHit(
        **found(call, project),
        project=project.slug,
        modelCount=len(models),
        modelNames=[m.name for m in models],
        totalBytes=float(sum(m.file.size for m in models if m.file)),
        starCount=int(project.starred),
    )


def dataset_hit(call: Call, dataset: Dataset) -> DatasetHit:
    p = call.platform
    w = p.world
    counts = splits(dataset.images)
    samples: list[SampleImage] = []
    for image in dataset.images[:SAMPLE_IMAGES]:
        url = signed_url(call, dataset, image)
        labels = [SampleLabel(classId=int(b[0]), bbox=list(b[1:5])) for b in image.annotations.get("boxes", [])]
        samples.append(SampleImage(url=url, width=image.width, height=image.height, labels=labels))
    return DatasetHit(
        **found(call, dataset),
        dataset=dataset.slug,
        imageCount=len(dataset.images),
        classCount=len(dataset.class_names),
        classNames=list(dataset.class_names),
        task=dataset.task,  # type: ignore[typeddict-item]
        totalBytes=float(images_bytes(w.blobs, dataset.images)),
        splits=counts,
        starCount=0,
        sampleImages=samples,
    )


def image_hit(call: Call, dataset: Dataset, image: DatasetImage, score: float) -> ImageHit:
    w = call.platform.world
    blob = w.blobs.get(image.blob_id)
    url = signed_url(call, dataset, image)
    return ImageHit(
        name=image.file,
        hash=blob.sha256 if blob else "",
        width=image.width,
        height=image.height,
        id=image_id(dataset, image),
        thumbnailUrl=url,
        imageUrl=url,
        dataset=ImageSource(owner=owner_account(call, dataset).username, dataset=dataset.slug, license="None"),
        score=score,
    )


@routes.get("/api/explore/search", query=SearchQuery, response=SearchResults, errors=(400, 401, 429))
def search(call: Call) -> Response:
    """Public projects and datasets of every workspace matching the query, paged per kind."""
    q: SearchQuery = call.query
    tasks = _csv(q.task)
    unknown = [t for t in tasks if t not in TASKS]
    if unknown:
        raise ValidationError(f"Invalid search parameters: unknown task '{unknown[0][:40]}'", {"task": q.task})
    if q.author is not None and not OWNER.match(q.author):
        raise ValidationError("Invalid search parameters: author is not a username", {"author": q.author})
    if q.minImages is not None and q.maxImages is not None and q.minImages > q.maxImages:
        raise ValidationError("Invalid search parameters: minImages is above maxImages", {"minImages": q.minImages})
    explore = Explore(call.platform.world)
    if q.type == "images":
        hits = explore.search_images(
            SearchFilters(q=q.q, offset=q.offset, limit=q.limit, tasks=tasks, author=q.author), call.account
        )
        return ok(
            SearchResults(
                projects=[],
                datasets=[],
                images=[image_hit(call, d, i, s) for d, i, s in hits.images],
                hasMore=hits.has_more,
            )
        )
    found = explore.search(
        SearchFilters(
            q=q.q,
            kinds=("projects", "datasets") if q.type == "all" else (q.type,),
            sort=q.sort,
            offset=q.offset,
            limit=q.limit,
            tasks=tasks,
            licenses=_csv(q.license),
            author=q.author,
            starred_by=call.account if q.starred == "true" else None,
            min_images=q.minImages,
            max_images=q.maxImages,
        )
    )
    return ok(
        SearchResults(
            projects=[project_hit(call, explore, pr) for pr in found.projects],
            datasets=[dataset_hit(call, d) for d in found.datasets],
            hasMore=found.has_more,
        )
    )
