"""Comparing two saved versions of a dataset: what was added, removed, modified or moved,
page by page, and one image as each version stores it."""

from __future__ import annotations

import base64
from typing import Any, Literal, NotRequired

from pydantic import Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.platform.access import dataset_at
from ulmock.api.platform.image_files import extension, signed_url
from ulmock.api.platform.routes import PlatformRoutes, ok
from ulmock.api.platform.vocabulary import LenientBody, Task
from ulmock.domain import curation
from ulmock.domain.entities import Dataset, DatasetImage, DatasetVersion
from ulmock.domain.errors import NotFound, ValidationError

routes = PlatformRoutes("Datasets")
COMPARE_PAGE = 100


class Renamed(TypedDict("Renamed", {"from": str})):  # "from" is a keyword
    to: str


class DiffHeader(TypedDict):
    classesAdded: list[str]
    classesRemoved: list[str]
    classesRenamed: list[Renamed]
    changed: list[str]


class DiffSummary(TypedDict):
    added: int
    removed: int
    modified: int
    moved: int
    labelsAdded: int
    labelsRemoved: int
    header: DiffHeader


class SideState(TypedDict):
    split: str
    labelCount: int


class DiffItem(TypedDict):
    hash: str
    name: str
    ext: str
    change: Literal["added", "removed", "modified", "moved"]
    fields: list[Literal["labels", "metadata", "size", "depth", "name", "error"]]
    labelsAdded: int
    labelsRemoved: int
    base: NotRequired[SideState]
    head: NotRequired[SideState]


class StoredLabel(TypedDict):
    classId: int
    bbox: list[float]


class StoredImage(TypedDict):
    split: str
    name: str
    ext: str
    width: int
    height: int
    labels: list[StoredLabel]
    labelCount: int
    metadata: NotRequired[dict[str, Any]]
    imageUrl: NotRequired[str]


class StoredVersion(TypedDict):
    version: int
    task: Task
    classNames: list[str]
    images: list[StoredImage]


class VersionDiffPage(TypedDict):
    summary: NotRequired[DiffSummary]
    items: list[DiffItem]
    nextCursor: NotRequired[str]
    preview: NotRequired[list[StoredVersion | None]]


class ImageInVersions(TypedDict):
    versions: list[StoredVersion | None]


class CompareQuery(LenientBody):
    base: int = Field(ge=1, description="Version compared from")
    head: int = Field(ge=1, description="Version compared to")
    cursor: str | None = Field(None, max_length=64)
    hash: str | None = Field(None, max_length=128, description="This image as each version stores it")


def _stored(call: Call, dataset: Dataset, version: DatasetVersion, image: DatasetImage) -> StoredVersion:
    boxes = image.annotations.get("boxes", [])
    stored = StoredImage(
        split=image.split,
        name=image.file,
        ext=extension(image.file),
        width=image.width,
        height=image.height,
        labels=[StoredLabel(classId=int(bx[0]), bbox=[float(v) for v in bx[1:5]]) for bx in boxes],
        labelCount=len(boxes),
        metadata=dict(image.metadata),
        imageUrl=signed_url(call, dataset, image),
    )
    return StoredVersion(
        version=version.number,
        task=dataset.task,  # type: ignore[typeddict-item]
        classNames=list(version.class_names),
        images=[stored],
    )


def _side(image: DatasetImage | None) -> SideState | None:
    return None if image is None else SideState(split=image.split, labelCount=len(image.annotations.get("boxes", [])))


@routes.get(
    "/api/datasets/{owner}/{dataset}/versions/compare", query=CompareQuery, response=VersionDiffPage | ImageInVersions
)
def compare_versions(call: Call) -> Response:
    """Images added, removed, modified or moved between two saved versions (or one image in both)."""
    dataset = dataset_at(call, readable=True)
    q: CompareQuery = call.query
    datasets = call.platform.datasets
    base, head = datasets.version(dataset, q.base), datasets.version(dataset, q.head)
    world = call.platform.world
    if q.hash is not None:
        sides: list[StoredVersion | None] = []
        for version in (base, head):
            image = next((i for i in version.images if curation.content_hash(world, i) == q.hash), None)
            sides.append(_stored(call, dataset, version, image) if image is not None else None)
        if sides == [None, None]:
            raise NotFound("Image not found in either version", {"hash": q.hash[:128]})
        return ok(ImageInVersions(versions=sides))
    diff = curation.compare_versions(world, base, head)
    start = _offset(q.cursor)
    changes = diff.changes[start : start + COMPARE_PAGE]
    items: list[DiffItem] = []
    for c in changes:
        item = DiffItem(
            hash=c.hash,
            name=c.name,
            ext=extension(c.name),
            change=c.change,  # type: ignore[typeddict-item]
            fields=list(c.fields),  # type: ignore[arg-type]
            labelsAdded=c.labels_added,
            labelsRemoved=c.labels_removed,
        )
        for key, side in (("base", _side(c.base)), ("head", _side(c.head))):
            if side is not None:
                item[key] = side  # type: ignore[literal-required]
        items.append(item)
    page = VersionDiffPage(items=items)
    if start == 0:
        page["summary"] = DiffSummary(
            added=diff.count("added"),
            removed=diff.count("removed"),
            modified=diff.count("modified"),
            moved=diff.count("moved"),
            labelsAdded=sum(c.labels_added for c in diff.changes),
            labelsRemoved=sum(c.labels_removed for c in diff.changes),
            header=DiffHeader(
                classesAdded=diff.classes_added,
                classesRemoved=diff.classes_removed,
                classesRenamed=[Renamed({"from": a, "to": b}) for a, b in diff.classes_renamed],
                changed=["classNames"] if diff.classes_added or diff.classes_removed or diff.classes_renamed else [],
            ),
        )
        if changes:
            first = changes[0]
            page["preview"] = [
                _stored(call, dataset, base, first.base) if first.base else None,
                _stored(call, dataset, head, first.head) if first.head else None,
            ]
    if start + COMPARE_PAGE < len(diff.changes):
        page["nextCursor"] = base64.urlsafe_b64encode(f"o:{start + COMPARE_PAGE}".encode()).decode()
    return ok(page)


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        text = ""
    if not text.startswith("o:") or not text[2:].isdigit():
        raise ValidationError("Invalid cursor: pass the nextCursor of the previous page", {"cursor": cursor[:64]})
    return int(text[2:])
