"""Curation of a dataset: classes merged or deleted, splits redistributed, images picked or
copied in, and clones (the differences between two saved versions: `version_compare`)."""

from __future__ import annotations

from typing import Literal, NotRequired

from pydantic import Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.platform.access import check_slug, dataset_at, landed, workspace
from ulmock.api.platform.dataset_content import ImageQuery, ImageView, _filtered, _view
from ulmock.api.platform.image_files import image_id
from ulmock.api.platform.images import images_by_id, one_dataset
from ulmock.api.platform.routes import CONFLICTING, WRITE, PlatformRoutes, ok
from ulmock.api.platform.vocabulary import Description, LenientBody, Name, Slug, Split, Visibility
from ulmock.domain import curation
from ulmock.domain.entities import Dataset, DatasetImage
from ulmock.domain.errors import NotFound, ValidationError
from ulmock.domain.ids import slugify
from ulmock.domain.images import BULK_MAX, DatasetImages

routes = PlatformRoutes("Datasets")


class ClassesChanged(TypedDict):
    """The dataset's classes after a merge or a delete."""

    success: Literal[True]
    classNames: list[str]
    classColors: dict[str, str]


class ClassesMerged(ClassesChanged):
    mergedClassIds: list[int]
    targetClassId: int


class ClassesDeleted(ClassesChanged):
    deletedClassIds: list[int]
    deletedAnnotations: int


class SplitCounts(TypedDict):
    train: int
    val: int
    test: int


class SplitsRedistributed(TypedDict):
    success: Literal[True]
    splits: SplitCounts
    modified: int


class SelectedImages(TypedDict):
    images: list[ImageView]
    total: int
    hasMore: Literal[False]
    classes: list[str]
    errorCount: int


class ImagesAdopted(TypedDict):
    adopted: int


class DatasetCloned(TypedDict):
    id: str
    owner: str
    dataset: str
    name: str
    imageCount: int
    classCount: NotRequired[int]
    region: Literal["us", "eu", "ap"]


class MergeRequest(LenientBody):
    sourceClassIds: list[int] = Field(min_length=1, max_length=1000)
    targetClassId: int = Field(ge=0)


class DeleteRequest(LenientBody):
    classIds: list[int] = Field(min_length=1, max_length=1000)


class SplitRequest(LenientBody):
    train: int = Field(ge=0, le=100)
    val: int = Field(ge=0, le=100)
    test: int = Field(ge=0, le=100)


class SelectRequest(LenientBody):
    imageIds: list[str] = Field(min_length=1, max_length=BULK_MAX)


class AdoptRequest(LenientBody):
    imageIds: list[str] = Field(min_length=1, max_length=BULK_MAX)
    release: bool | None = Field(None, description="false copies with labels; true also removes the source images")
    classMapping: dict[str, int | str | None] | None = None


class CloneRequest(LenientBody):
    name: Name | None = None
    dataset: Slug | None = Field(None, description="slug of the copy")
    description: Description | None = None
    visibility: Visibility = "private"
    owner: str | None = None
    splits: list[Split] | None = None
    version: int | None = Field(None, ge=1)
    imageIds: list[str] | None = Field(None, max_length=BULK_MAX)
    annotations: bool = True
    into: str | None = Field(None, min_length=1, max_length=128, description="a dataset of yours to merge into")


def _classes(dataset: Dataset) -> ClassesChanged:
    names = dataset.class_names
    return ClassesChanged(success=True, classNames=list(names), classColors=curation.class_colors(names))


@routes.post("/api/datasets/{owner}/{dataset}/classes/merge", body=MergeRequest, response=ClassesMerged, errors=WRITE)
def merge_classes(call: Call) -> Response:
    """Reassign the source classes' annotations to the target class and remove the sources."""
    dataset = dataset_at(call)
    b: MergeRequest = call.body
    merged, target = curation.merge_classes(call.platform.world, dataset, b.sourceClassIds, b.targetClassId)
    return ok(ClassesMerged(**_classes(dataset), mergedClassIds=merged, targetClassId=target))


@routes.post(
    "/api/datasets/{owner}/{dataset}/classes/delete", body=DeleteRequest, response=ClassesDeleted, errors=WRITE
)
def delete_classes(call: Call) -> Response:
    """Delete classes with their annotations; the remaining class ids shift down."""
    dataset = dataset_at(call)
    gone, dropped = curation.delete_classes(call.platform.world, dataset, call.body.classIds)
    return ok(ClassesDeleted(**_classes(dataset), deletedClassIds=gone, deletedAnnotations=dropped))


@routes.post(
    "/api/datasets/{owner}/{dataset}/splits/redistribute", body=SplitRequest, response=SplitsRedistributed, errors=WRITE
)
def redistribute_splits(call: Call) -> Response:
    """Deal the images into train, val and test by percentages totalling 100 (seeded)."""
    dataset = dataset_at(call)
    b: SplitRequest = call.body
    counts, modified = curation.redistribute_splits(call.platform.world, dataset, b.train, b.val, b.test)
    return ok(
        SplitsRedistributed(
            success=True,
            splits=SplitCounts(train=counts["train"], val=counts["val"], test=counts["test"]),
            modified=modified,
        )
    )


@routes.post("/api/datasets/{owner}/{dataset}/images", query=ImageQuery, body=SelectRequest, response=SelectedImages)
def selected_images(call: Call) -> Response:
    """The requested images of this dataset, filtered and sorted as the image listing does."""
    dataset = dataset_at(call, readable=True)
    q: ImageQuery = call.query
    wanted = set(call.body.imageIds)
    images = [i for i in _filtered(call, dataset, q) if image_id(dataset, i) in wanted]
    return ok(
        SelectedImages(
            images=[_view(call, dataset, i, q) for i in images],
            total=len(images),
            hasMore=False,
            classes=list(dataset.class_names),
            errorCount=0,
        )
    )


@routes.post("/api/datasets/{owner}/{dataset}/images/adopt", body=AdoptRequest, response=ImagesAdopted, errors=WRITE)
def adopt_images(call: Call) -> Response:
    """Copy (or, with `release: true`, move) images of one dataset into this one; content it has is skipped."""
    target = dataset_at(call)
    b: AdoptRequest = call.body
    source, images = one_dataset(images_by_id(call, b.imageIds, readable=True))
    if source.id == target.id:
        raise ValidationError("The images are already in this dataset", {"imageIds": "same dataset"})
    editable = source.account_id == call.account.id
    labelled = editable and (b.release is not None or b.classMapping is not None)
    world = call.platform.world
    count, _ = curation.copy_images(
        world, source, target, images, labels=labelled, class_mapping=b.classMapping, keep_split=labelled
    )
    if b.release and editable:
        DatasetImages(world).remove(source, images)
    return ok(ImagesAdopted(adopted=count))


@routes.post(
    "/api/datasets/{owner}/{dataset}/clone", body=CloneRequest, response=DatasetCloned, status=201, errors=CONFLICTING
)
def clone_dataset(call: Call) -> Response:
    """Copy a dataset you can see (all of it, some splits, a saved version or some images) into your workspace."""
    source = dataset_at(call, readable=True)
    b: CloneRequest = call.body
    workspace(call, b.owner)
    p, world = call.platform, call.platform.world
    version = p.datasets.version(source, b.version) if b.version is not None else None
    images: list[DatasetImage] = list(version.images if version else source.images)
    class_names = list(version.class_names if version else source.class_names)
    if b.imageIds is not None:
        if version is not None:
            raise ValidationError("imageIds pick live images: leave out version", {"imageIds": "with version"})
        wanted = set(b.imageIds)
        images = [i for i in images if image_id(source, i) in wanted]
    if b.splits is not None:
        images = [i for i in images if i.split in b.splits]
    account = call.account
    if b.into is not None:
        into = p.datasets.by_slug(account, check_slug(b.into, "into"))
        if into is None:
            raise NotFound("Dataset not found")
        view = source.model_copy(update={"class_names": class_names})
        curation.copy_images(world, view, into, images, labels=False, keep_split=False)
        copy = into
    else:
        name = b.name or source.name
        slug = check_slug(b.dataset, "dataset") if b.dataset is not None else None
        if slug is None and b.name is not None:
            slug = slugify(name)
        copy = curation.clone_dataset(
            world,
            p.datasets,
            account,
            source,
            name=name,
            slug=slug,
            description=b.description,
            visibility=b.visibility,
            images=images,
            class_names=class_names,
            labels=b.annotations,
        )
    return ok(
        DatasetCloned(
            **landed(account, copy),
            dataset=copy.slug,
            name=copy.name,
            imageCount=len(copy.images),
            classCount=len(copy.class_names),
        ),
        201,
    )
