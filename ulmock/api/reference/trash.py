"""/api/trash: what was deleted in the last 30 days; restore it or empty the trash."""

from __future__ import annotations

from typing import Literal

from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.reference import envelope
from ulmock.api.reference.requests import PageQuery, RestoreTrashItem
from ulmock.api.reference.routes import ReferenceRoutes
from ulmock.api.reference.views import shape
from ulmock.domain.clock import iso
from ulmock.domain.entities import TrashItem


@shape
class TrashItemView(TypedDict):
    id: str
    type: Literal["project", "dataset", "model", "deployment"]
    name: str
    deletedAt: str
    expiresAt: str
    childCount: int


def trash_item_view(t: TrashItem) -> TrashItemView:
    return {
        "id": t.id,
        "type": t.type,
        "name": t.name,
        "deletedAt": iso(t.deleted_at),
        "expiresAt": iso(t.expires_at),
        "childCount": len(t.children),
    }


@shape
class RestoredView(TypedDict):
    id: str
    type: str
    restored: bool


@shape
class EmptiedView(TypedDict):
    deleted: int


routes = ReferenceRoutes("trash", scope="account")


@routes.get("/api/trash", query=PageQuery, response=TrashItemView, paginated=True)
def list_trash(call: Call) -> Response:
    """Items in the trash, most recently deleted first."""
    q = call.query
    page = call.platform.trash.list(call.account, q.page, q.limit)
    return envelope.paged(page, [trash_item_view(t) for t in page.items])


@routes.post("/api/trash", body=RestoreTrashItem, response=RestoredView)
def restore_trash_item(call: Call) -> RestoredView:
    """Restore an item (a project comes back with its models)."""
    item = call.platform.trash.restore(call.account, call.body.itemId, call.body.type)
    return {"id": item.id, "type": item.type, "restored": True}


@routes.post("/api/trash/empty", response=EmptiedView)
def empty_trash(call: Call) -> EmptiedView:
    """Delete everything in the trash for good."""
    return {"deleted": call.platform.trash.empty(call.account)}
