"""Similarity: a dataset's embedding analysis (a job on the clock), its map, and similar images.

Embeddings are the pixel descriptor of `ulmock.inference.descriptor` (colour, gradients, layout);
similar images are ranked by the cosine of their descriptors.
"""

from __future__ import annotations

from typing import Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.platform.access import dataset_at, model_at
from ulmock.api.platform.explore import ImageHit, image_hit
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.image_files import image_id
from ulmock.api.platform.images import _datasets, images_by_id
from ulmock.api.platform.routes import CONFLICTING, WRITE, PlatformRoutes, ok
from ulmock.domain.analysis import Neighbour
from ulmock.domain.clock import iso
from ulmock.domain.connections import DatasetAnalysis
from ulmock.domain.entities import Dataset, DatasetImage
from ulmock.domain.errors import NotFound, ValidationError

routes = PlatformRoutes("Datasets")
image_routes = PlatformRoutes("Images")
CLUSTER_PAGE_MAX = 5000
# The license every emulated dataset carries: none recorded (the contract writes "None").


class JobProgress(TypedDict):
    stage: Literal["embedding", "umap"]
    percent: float
    processed: NotRequired[float]
    total: NotRequired[float]
    failedDownloads: NotRequired[float]
    failedInference: NotRequired[float]


class ActiveJob(TypedDict):
    id: str
    status: Literal["queued", "starting", "running"]
    progress: JobProgress | None
    createdAt: str


class AnalysisStatus(TypedDict):
    analyzedAt: str | None
    embeddingsCount: int
    latestImageAt: str | None
    activeJob: ActiveJob | None


class AnalysisStarted(TypedDict):
    jobId: str


class AnalysisCancelled(TypedDict):
    cancelled: str | None


class MapPoint(TypedDict):
    id: str
    umapX: float
    umapY: float
    cluster: int | None
    split: Literal["train", "val", "test"] | None
    classIds: list[int]
    width: int
    height: int
    bytes: int | None
    labelCount: int
    labeled: bool
    missing: bool


class DatasetMap(TypedDict):
    images: list[MapPoint]
    total: int
    offset: int
    limit: int
    hasMore: bool
    nextOffset: int | None
    updatedAt: str


class SimilarImages(TypedDict):
    images: list[ImageHit]  # the shape explore's image search answers with


class MapQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    offset: int = Field(0, ge=0)
    limit: int = Field(1000, ge=1, le=CLUSTER_PAGE_MAX)


class SimilarQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    includeSourceDataset: Literal["true", "false"] = Field("false", description="Also search the image's own dataset")


class TrainingImagesQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    hashes: str | None = Field(None, max_length=20_000, description="Comma-separated worst-image hashes of the run")


def _job(call: Call, run: DatasetAnalysis) -> ActiveJob:
    percent, processed = call.platform.analyses.progress(run)
    progress = (
        JobProgress(
            stage="embedding",
            percent=percent,
            processed=processed,
            total=run.total,
            failedDownloads=0,
            failedInference=0,
        )
        if run.status == "running"
        else None
    )
    return ActiveJob(
        id=public_id(run.id),
        status="running" if run.status == "running" else "queued",
        progress=progress,
        createdAt=iso(run.created_at),
    )


@routes.get("/api/datasets/{owner}/{dataset}/embeddings", response=AnalysisStatus)
def embeddings(call: Call) -> Response:
    """The embedding analysis: the last completed one, and the one under way with its progress."""
    dataset = dataset_at(call)
    active, done = call.platform.analyses.status(call.account, dataset)
    return ok(
        AnalysisStatus(
            analyzedAt=iso(done.finished_at) if done and done.finished_at else None,
            embeddingsCount=len(done.vectors) if done else 0,
            latestImageAt=iso(dataset.updated_at) if dataset.images else None,
            activeJob=_job(call, active) if active else None,
        )
    )


@routes.post("/api/datasets/{owner}/{dataset}/embeddings", response=AnalysisStarted, status=202, errors=CONFLICTING)
def create_embeddings(call: Call) -> Response:
    """Start embedding extraction and clustering (queued, then a pace per image on the clock)."""
    run = call.platform.analyses.start(call.account, dataset_at(call))
    return ok(AnalysisStarted(jobId=public_id(run.id)), 202)


@routes.delete("/api/datasets/{owner}/{dataset}/embeddings", response=AnalysisCancelled, errors=WRITE)
def delete_embeddings(call: Call) -> Response:
    """Cancel the analysis under way, if there is one."""
    run = call.platform.analyses.cancel(call.account, dataset_at(call))
    return ok(AnalysisCancelled(cancelled=public_id(run.id) if run else None))


@routes.get("/api/datasets/{owner}/{dataset}/images/clustering", query=MapQuery, response=DatasetMap)
def clustering(call: Call) -> Response:
    """The map of the last completed analysis: each image's 2-D position and cluster, paged."""
    dataset = dataset_at(call)
    q: MapQuery = call.query
    analyses = call.platform.analyses
    done = analyses.last_outcome(call.account, dataset)
    if done is None or done.finished_at is None:
        raise NotFound("No completed analysis of this dataset: start one with POST .../embeddings")
    blobs = call.platform.world.blobs
    page = dataset.images[q.offset : q.offset + q.limit]
    points: list[MapPoint] = []
    for image in page:
        digest = analyses.content_hash(image)
        xy = done.layout.get(digest)
        boxes = image.annotations.get("boxes", [])
        blob = blobs.get(image.blob_id)
        points.append(
            MapPoint(
                id=image_id(dataset, image),
                umapX=xy[0] if xy else 0.0,
                umapY=xy[1] if xy else 0.0,
                cluster=done.clusters.get(digest),
                split=image.split,
                classIds=sorted({int(b[0]) for b in boxes}),
                width=image.width,
                height=image.height,
                bytes=blob.size if blob else None,
                labelCount=len(boxes),
                labeled=bool(boxes),
                missing=xy is None,
            )
        )
    more = q.offset + q.limit < len(dataset.images)
    return ok(
        DatasetMap(
            images=points,
            total=len(dataset.images),
            offset=q.offset,
            limit=q.limit,
            hasMore=more,
            nextOffset=q.offset + q.limit if more else None,
            updatedAt=iso(done.finished_at),
        )
    )


def _shown(call: Call, found: list[Neighbour]) -> SimilarImages:
    return SimilarImages(images=[image_hit(call, n.dataset, n.image, n.score) for n in found])


@image_routes.get("/api/images/{imageId}/similar", query=SimilarQuery, response=SimilarImages)
def find_similar_images(call: Call) -> Response:
    """Images that look like this one, from public datasets and yours, best first; copies of it never."""
    ((source, query),) = images_by_id(call, [call.params["imageId"]], readable=True)
    analyses = call.platform.analyses
    own = analyses.content_hash(query)
    include_source = call.query.includeSourceDataset == "true"
    candidates: list[tuple[Dataset, DatasetImage]] = []
    for dataset in _datasets(call, readable=True):
        if not include_source and (
            dataset.id == source.id or any(analyses.content_hash(i) == own for i in dataset.images)
        ):
            continue
        candidates.extend((dataset, i) for i in dataset.images)
    return ok(_shown(call, analyses.similar(query, candidates)))


@routes.get("/api/models/{owner}/{project}/{model}/similar-images", query=TrainingImagesQuery, response=SimilarImages)
def find_similar_training_images(call: Call) -> Response:
    """Images like the run's worst validation images, from datasets other than the training data.

    ulmock's runs record no per-image results, so the cohort is the `hashes` given (images
    of the model's training dataset); without them the answer is empty, as the live one is
    for a run that recorded none."""
    _, model = model_at(call)
    hashes = [h.strip() for h in (call.query.hashes or "").split(",") if h.strip()]
    p = call.platform
    training: Dataset | None = p.world.datasets(call.account.id).get(model.dataset_id or "")
    if not hashes or training is None:
        return ok(SimilarImages(images=[]))
    analyses = p.analyses
    held = {analyses.content_hash(i): i for i in training.images}
    unknown = [h for h in hashes if h not in held]
    if unknown:
        raise ValidationError("hashes must name images of the run's training dataset", {"hashes": unknown[0][:64]})
    candidates = [
        (d, i)
        for d in _datasets(call, readable=True)
        if d.id != training.id
        for i in d.images
        if analyses.content_hash(i) not in held
    ]
    per_image = [analyses.similar(held[h], candidates) for h in hashes]
    # Each worst image's nearest neighbours in turn, without repeats.
    seen: set[str] = set()
    picked: list[Neighbour] = []
    for rank in range(max((len(n) for n in per_image), default=0)):
        for neighbours in per_image:
            if rank < len(neighbours):
                n = neighbours[rank]
                digest = analyses.content_hash(n.image)
                if digest not in seen:
                    seen.add(digest)
                    picked.append(n)
    return ok(_shown(call, picked[:20]))
