"""Lifecycle: the trash (list, or preview what deleting something takes along), restore, purge."""

from __future__ import annotations

import math
from typing import Literal, NotRequired

from pydantic import Field, model_validator
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.inputs import Body, Query
from ulmock.api.operations import Call
from ulmock.api.platform.access import by_public_id
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.routes import WRITE, PlatformRoutes, ok
from ulmock.domain.clock import iso
from ulmock.domain.entities import Model, Project, TrashItem
from ulmock.domain.errors import NotFound, ValidationError
from ulmock.domain.sizes import trashed_bytes

routes = PlatformRoutes("Lifecycle")
Kind = Literal["project", "dataset", "model"]
DAY = 86_400.0


class ParentProject(TypedDict):
    _id: str
    name: str
    slug: str


class TrashEntry(TypedDict):
    _id: str
    type: Kind
    name: str
    slug: str
    trashedAt: str
    daysRemaining: int
    cascadedCount: NotRequired[int]
    parentProject: NotRequired[ParentProject]
    sizeBytes: NotRequired[float]


class Count(TypedDict):
    count: int


class CountSize(TypedDict):
    count: int
    sizeBytes: float


class ByType(TypedDict):
    projects: Count
    datasets: CountSize
    models: CountSize
    exports: CountSize


class TrashSummary(TypedDict):
    totalItems: int
    totalSizeBytes: float
    byType: ByType


class TrashPage(TypedDict):
    items: list[TrashEntry]
    total: int
    page: int
    limit: int
    totalPages: int
    summary: TrashSummary
    region: Literal["us", "eu", "ap"]


class Affected(TypedDict):
    id: str
    type: Literal["project", "model", "deployment"]
    name: str
    region: NotRequired[str]


class DeletionPreview(TypedDict):
    resources: list[Affected]


class Restored(TypedDict):
    success: Literal[True]
    restoredModels: NotRequired[int]


class Purged(TypedDict):
    success: Literal[True]
    deletedCount: int
    cascadedModels: NotRequired[int]


class TrashQuery(Query):
    id: str | None = Field(None, max_length=64, description="Preview what deleting this model or project affects")
    type: Literal["all", "project", "dataset", "model"] = "all"
    page: int = Field(1, ge=1, le=1_000_000)
    limit: int = Field(20, ge=1, le=100)


class ItemRef(Body):
    id: str = Field(min_length=1, max_length=64)
    type: Kind


class PurgeRequest(Body):
    id: str | None = Field(None, min_length=1, max_length=64)
    type: Kind | None = None
    all: bool | None = None

    @model_validator(mode="after")
    def one_or_all(self) -> PurgeRequest:
        if self.all is not True and (self.id is None or self.type is None):
            raise ValueError("give {id, type} of one trashed item, or {all: true}")
        return self


def _size(call: Call, item: TrashItem) -> float:
    return float(trashed_bytes(call.platform.world.blobs, item))


def _entry(call: Call, item: TrashItem) -> TrashEntry:
    now = call.platform.world.now()
    entity = item.entity
    entry = TrashEntry(
        _id=public_id(item.id),
        type=item.type,  # type: ignore[typeddict-item]
        name=item.name,
        slug=entity.slug,
        trashedAt=iso(item.deleted_at),
        daysRemaining=max(0, math.ceil((item.expires_at - now) / DAY)),
        sizeBytes=_size(call, item),
    )
    if item.children:
        entry["cascadedCount"] = len(item.children)
    if isinstance(entity, Model):
        project = call.platform.world.projects(call.account.id).get(entity.project_id)
        trashed = call.platform.world.trash(call.account.id).get(entity.project_id)
        parent = project or (trashed.entity if trashed is not None else None)
        if isinstance(parent, Project):
            entry["parentProject"] = ParentProject(_id=public_id(parent.id), name=parent.name, slug=parent.slug)
    return entry


def _preview(call: Call, ident: str, kind: str) -> DeletionPreview:
    """What deleting a live project or model takes along: its models, and the deployments that go for good."""
    w = call.platform.world
    account = call.account
    if kind == "project":
        project = by_public_id(call, "project", ident)
        if project is None:
            raise NotFound("Project not found")
        models = list(call.platform.projects.models_of(account, project.id))
    elif kind == "model":
        model = by_public_id(call, "model", ident)
        if model is None:
            raise NotFound("Model not found")
        models = [model]
    else:
        raise ValidationError("Preview needs type project or model with the id", {"type": kind})
    ids = {m.id for m in models}
    resources = [Affected(id=public_id(m.id), type="model", name=m.name) for m in models if kind == "project"]
    resources += [
        Affected(id=public_id(d.id), type="deployment", name=d.name, region=d.region)
        for d in w.deployments(account.id).values()
        if d.model_id in ids
    ]
    return DeletionPreview(resources=resources)


@routes.get("/api/trash", query=TrashQuery, response=TrashPage | DeletionPreview, errors=WRITE)
def trash(call: Call) -> Response:
    """Restorable trash, newest first; with `id` and `type`, a preview of what deleting that item affects."""
    q: TrashQuery = call.query
    if q.id is not None:
        return ok(_preview(call, q.id, q.type))
    rows, _ = call.platform.world.trash(call.account.id).newest_first()
    items = [i for i in rows if i.type != "deployment" and q.type in ("all", i.type)]
    start = (q.page - 1) * q.limit
    sizes = {i.id: _size(call, i) for i in items}

    def count(kind: str) -> CountSize:
        of_kind = [i for i in items if i.type == kind]
        return CountSize(count=len(of_kind), sizeBytes=sum(sizes[i.id] for i in of_kind))

    return ok(
        TrashPage(
            items=[_entry(call, i) for i in items[start : start + q.limit]],
            total=len(items),
            page=q.page,
            limit=q.limit,
            totalPages=math.ceil(len(items) / q.limit),
            summary=TrashSummary(
                totalItems=len(items),
                totalSizeBytes=sum(sizes.values()),
                byType=ByType(
                    projects=Count(count=count("project")["count"]),
                    datasets=count("dataset"),
                    models=count("model"),
                    exports=CountSize(count=0, sizeBytes=0.0),
                ),
            ),
            region=call.account.region,
        )
    )


def _trashed(call: Call, ident: str, kind: str) -> TrashItem:
    item = by_public_id(call, "trash", ident)
    if item is None or item.type != kind:
        raise NotFound(f"{kind.capitalize()} not found in the trash")
    return item


@routes.post("/api/trash", body=ItemRef, response=Restored, errors=WRITE)
def restore(call: Call) -> Response:
    """Bring a trashed project (with its models), dataset or model back."""
    item = _trashed(call, call.body.id, call.body.type)
    restored = call.platform.trash.restore(call.account, item.id, item.type)
    answer = Restored(success=True)
    if restored.children:
        answer["restoredModels"] = len(restored.children)
    return ok(answer)


@routes.delete("/api/trash", body=PurgeRequest, response=Purged, errors=WRITE)
def delete_trash(call: Call) -> Response:
    """Delete one trashed item, or everything in the trash, for good."""
    body: PurgeRequest = call.body
    p = call.platform
    if body.all:
        items = [i for i in p.world.trash(call.account.id).values()]
        cascaded = sum(len(i.children) for i in items)
        return ok(Purged(success=True, deletedCount=p.trash.empty(call.account), cascadedModels=cascaded))
    assert body.id is not None and body.type is not None  # the validator saw to it
    item = p.trash.purge(call.account, _trashed(call, body.id, body.type).id, body.type)
    return ok(Purged(success=True, deletedCount=1, cascadedModels=len(item.children)))
