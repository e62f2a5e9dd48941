"""Images by id: retrieve, update labels or metadata, delete, move or delete in bulk, signed URLs.

An image's id is the one the dataset's image listing shows (`dataset_content.image_id`).
Writes reach only the caller's own datasets; reads also reach public datasets.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.platform.access import owner_account
from ulmock.api.platform.ids import HEX_ID, public_id
from ulmock.api.platform.image_files import extension, image_file, image_id, signed_url
from ulmock.api.platform.routes import CONFLICTING, WRITE, PlatformRoutes, ok
from ulmock.api.platform.vocabulary import Split
from ulmock.domain.clock import iso
from ulmock.domain.entities import Account, Dataset, DatasetImage
from ulmock.domain.errors import NotFound, ValidationError
from ulmock.domain.images import BULK_MAX, DatasetImages

routes = PlatformRoutes("Images")
URLS_MAX = 100
LABELS_CAP = 1000


class Label(TypedDict):
    classId: int
    bbox: list[float]


class ImageProperties(TypedDict):
    id: str
    datasetId: str
    filename: str
    hash: str
    extension: str
    width: int
    height: int
    split: Split
    annotationCount: int
    classIds: NotRequired[list[int]]
    bytes: NotRequired[int]
    region: NotRequired[Literal["us", "eu", "ap"]]
    retainedByVersion: bool
    createdAt: str
    updatedAt: NotRequired[str]
    error: NotRequired[str | None]


class ImageDetail(TypedDict):
    metadata: dict[str, Any]
    properties: ImageProperties
    labels: list[Label]
    classNames: list[str]
    labelsTruncated: NotRequired[Literal[True]]


class LabelsSaved(TypedDict):
    success: Literal[True]
    labels: list[Label]
    labelCount: int


class MetadataSaved(TypedDict):
    metadata: dict[str, Any]
    updatedAt: str


class ImageDeleted(TypedDict):
    success: Literal[True]
    deletedImageId: str
    deletedCount: int


class ImagesMoved(TypedDict):
    success: Literal[True]
    modifiedCount: int
    skippedCount: int
    targetSplit: Split


class ImagesDeleted(TypedDict):
    success: Literal[True]
    deletedCount: int
    deletedImageIds: list[str]


class DepthPreview(TypedDict):
    previewUrl: str


class ImageUrls(TypedDict):
    urls: dict[str, str]
    thumbnails: dict[str, str]
    depths: dict[str, DepthPreview]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LabelIn(Body):
    classId: int = Field(ge=0, le=24_999)
    bbox: list[float] = Field(min_length=4, max_length=4, description="[x_center, y_center, width, height], 0-1")


class ImageChange(Body):
    labels: list[LabelIn] | None = Field(None, max_length=10_000, description="Replaces every annotation")
    metadata: dict[str, Any] | None = Field(None, description="Replaces the custom metadata")


class BulkMove(Body):
    imageIds: list[str] = Field(min_length=1, max_length=BULK_MAX)
    split: Split
    conflictPolicy: Literal["skip", "keep_both", "replace"] | None = None


class BulkIds(Body):
    imageIds: list[str] = Field(min_length=1, max_length=BULK_MAX)


class UrlRequest(Body):
    imageIds: list[str] = Field(min_length=1, max_length=URLS_MAX)


# -- finding images by id ----------------------------------------------------------------


def _datasets(call: Call, readable: bool) -> list[Dataset]:
    own: list[Dataset] = list(call.platform.world.datasets(call.account.id).values())
    if not readable:
        return own
    others = [
        d
        for acc, table in call.platform.world.datasets.by_account.items()
        if acc != call.account.id
        for d in table.values()
        if d.visibility == "public"
    ]
    return own + others


def images_by_id(call: Call, ids: list[str], readable: bool = False) -> list[tuple[Dataset, DatasetImage]]:
    """The images with these ids, in the order asked (400 for a malformed id, 404 for an unknown one)."""
    for ident in ids:
        if not HEX_ID.match(ident):
            raise ValidationError("Invalid image ID", {"imageId": ident[:64]})
    wanted = set(ids)
    found: dict[str, tuple[Dataset, DatasetImage]] = {}
    for dataset in _datasets(call, readable):
        for image in dataset.images:
            ident = image_id(dataset, image)
            if ident in wanted:
                found[ident] = (dataset, image)
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound("Image not found", {"imageId": missing[0]})
    return [found[i] for i in dict.fromkeys(ids)]


def one_dataset(pairs: list[tuple[Dataset, DatasetImage]], status: int = 404) -> tuple[Dataset, list[DatasetImage]]:
    datasets = {id(d): d for d, _ in pairs}
    if len(datasets) > 1:
        raise ValidationError(
            "Images belong to different datasets", {"imageIds": "one dataset per call"}, status=status
        )
    return pairs[0][0], [i for _, i in pairs]


def _labels(image: DatasetImage) -> list[Label]:
    return [Label(classId=int(b[0]), bbox=[float(v) for v in b[1:5]]) for b in image.annotations.get("boxes", [])]


# -- operations (the fixed paths first: /bulk is not an image id) ------------------------


@routes.patch("/api/images/bulk", body=BulkMove, response=ImagesMoved, errors=CONFLICTING)
def update_images(call: Call) -> Response:
    """Move up to 1000 images of one dataset to a split; the same content already there needs a policy."""
    b: BulkMove = call.body
    dataset, images = one_dataset(images_by_id(call, b.imageIds))
    moved, skipped = DatasetImages(call.platform.world).move(dataset, images, b.split, b.conflictPolicy)
    return ok(ImagesMoved(success=True, modifiedCount=moved, skippedCount=skipped, targetSplit=b.split))


@routes.delete("/api/images/bulk", body=BulkIds, response=ImagesDeleted, errors=WRITE)
def delete_images(call: Call) -> Response:
    """Delete up to 1000 images of one dataset, with their labels."""
    b: BulkIds = call.body
    dataset, images = one_dataset(images_by_id(call, b.imageIds))
    count = DatasetImages(call.platform.world).remove(dataset, images)
    return ok(ImagesDeleted(success=True, deletedCount=count, deletedImageIds=list(dict.fromkeys(b.imageIds))))


@routes.post("/api/images/urls", body=UrlRequest, response=ImageUrls)
def image_urls(call: Call) -> Response:
    """Signed, expiring URLs for up to 100 images of one dataset."""
    b: UrlRequest = call.body
    dataset, images = one_dataset(images_by_id(call, b.imageIds, readable=True), status=400)
    urls = {image_id(dataset, i): signed_url(call, dataset, i) for i in images}
    # ulmock keeps no thumbnails: the image itself, which any viewer scales.
    return ok(ImageUrls(urls=urls, thumbnails=dict(urls), depths={}))


@routes.get("/api/images/{imageId}", response=ImageDetail)
def retrieve_image(call: Call) -> Response:
    """An image: its fields, custom metadata, annotations and the dataset's class names."""
    ((dataset, image),) = images_by_id(call, [call.params["imageId"]], readable=True)
    labels = _labels(image)
    owner: Account = owner_account(call, dataset)
    props = ImageProperties(
        **image_file(call, dataset, image),
        datasetId=public_id(dataset.id),
        filename=image.file,
        extension=extension(image.file),
        annotationCount=len(labels),
        classIds=sorted({label["classId"] for label in labels}),
        region=owner.region,
        retainedByVersion=any(
            any(v.file == image.file and v.blob_id == image.blob_id for v in version.images)
            for version in dataset.versions
        ),
        createdAt=iso(dataset.created_at),
        updatedAt=iso(dataset.updated_at),
        error=None,
    )
    detail = ImageDetail(
        metadata=dict(image.metadata),
        properties=props,
        labels=labels[:LABELS_CAP],
        classNames=list(dataset.class_names),
    )
    if len(labels) > LABELS_CAP:
        detail["labelsTruncated"] = True
    return ok(detail)


@routes.patch("/api/images/{imageId}", body=ImageChange, response=LabelsSaved | MetadataSaved, errors=WRITE)
def update_image(call: Call) -> Response:
    """Replace an image's annotations (`labels`) or its custom metadata (`metadata`)."""
    b: ImageChange = call.body
    if (b.labels is None) == (b.metadata is None):
        raise ValidationError("Give either labels or metadata", {"body": "labels or metadata"})
    ((dataset, image),) = images_by_id(call, [call.params["imageId"]])
    images = DatasetImages(call.platform.world)
    if b.metadata is not None:
        images.set_metadata(dataset, image, b.metadata)
        return ok(MetadataSaved(metadata=dict(image.metadata), updatedAt=iso(dataset.updated_at)))
    assert b.labels is not None
    images.set_labels(dataset, image, [[label.classId, *label.bbox] for label in b.labels])
    labels = _labels(image)
    return ok(LabelsSaved(success=True, labels=labels, labelCount=len(labels)))


@routes.delete("/api/images/{imageId}", response=ImageDeleted, errors=CONFLICTING)
def delete_image(call: Call) -> Response:
    """Permanently delete one image and its labels."""
    ident = call.params["imageId"]
    ((dataset, image),) = images_by_id(call, [ident])
    count = DatasetImages(call.platform.world).remove(dataset, [image])
    return ok(ImageDeleted(success=True, deletedImageId=ident, deletedCount=count))
