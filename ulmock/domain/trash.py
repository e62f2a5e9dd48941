"""Soft delete: deleted projects, datasets and models wait 30 days here, then vanish."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ulmock.domain.activity import Activity
from ulmock.domain.entities import Account, Model, Trashable, TrashItem
from ulmock.domain.errors import ValidationError, not_found
from ulmock.domain.records import free_slug
from ulmock.domain.store import Page
from ulmock.domain.world import World

RETENTION_SECONDS = 30 * 86_400
TRASH_TYPES = ("project", "dataset", "model", "deployment")
PURGE_EVENT = "trash.purge"


class Trash:
    def __init__(self, world: World, activity: Activity):
        self.world = world
        self.activity = activity
        world.clock.on(PURGE_EVENT, self._purge_due)

    def put(self, account: Account, entity: Trashable, children: Sequence[Model] = ()) -> TrashItem:
        w = self.world
        now = w.now()
        w.kind(entity.kind)(account.id).remove(entity.id)
        for child in children:
            w.models(account.id).remove(child.id)
        item = TrashItem(
            id=entity.id,
            account_id=account.id,
            type=entity.kind,
            name=entity.name,
            deleted_at=now,
            expires_at=now + RETENTION_SECONDS,
            entity=entity,
            children=list(children),
        )
        w.trash(account.id).add(item.id, item)
        w.clock.schedule(item.expires_at, PURGE_EVENT, {"accountId": account.id, "itemId": item.id})
        extra = f" and {len(item.children)} model(s)" if item.children else ""
        self.activity.record(
            account,
            f"{entity.kind}.deleted",
            f"Moved {entity.kind} '{entity.name}'{extra} to the trash",
            entity.kind,
            entity.id,
        )
        return item

    def list(self, account: Account, page: int, limit: int) -> Page[TrashItem]:
        return self.world.trash(account.id).page(page, limit)

    def restore(self, account: Account, item_id: str, type: str) -> TrashItem:
        if type not in TRASH_TYPES:
            raise ValidationError(f"Unknown trash item type '{type}'", {"type": f"one of {', '.join(TRASH_TYPES)}"})
        w = self.world
        trash = w.trash(account.id)
        item: TrashItem | None = trash.get(item_id)
        if item is None or item.type != type:
            raise not_found(f"{type} in trash", item_id)
        entity = item.entity
        if isinstance(entity, Model) and entity.project_id in trash:
            raise ValidationError(
                "This model's project is in the trash: restore the project first",
                {"itemId": item_id, "projectId": entity.project_id},
            )
        if isinstance(entity, Model) and w.projects(account.id).get(entity.project_id) is None:
            raise ValidationError("This model's project no longer exists", {"projectId": entity.project_id})
        trash.remove(item_id)
        w.clock.cancel(lambda d: d.kind == PURGE_EVENT and d.payload.get("itemId") == item_id)
        self._reinsert(account, entity)
        for child in item.children:
            self._reinsert(account, child)
        self.activity.record(
            account,
            f"{entity.kind}.restored",
            f"Restored {entity.kind} '{entity.name}' from the trash",
            entity.kind,
            entity.id,
        )
        return item

    def purge(self, account: Account, item_id: str, type: str) -> TrashItem:
        """Delete one trashed item for good, before its 30 days are up."""
        item: TrashItem | None = self.world.trash(account.id).get(item_id)
        if item is None or item.type != type:
            raise not_found(f"{type} in trash", item_id)
        self._destroy(account.id, item)
        self.activity.record(
            account, f"{item.type}.purged", f"Permanently deleted {item.type} '{item.name}'", item.type, item.id
        )
        return item

    def empty(self, account: Account) -> int:
        trash = self.world.trash(account.id)
        items = list(trash.values())
        for item in items:
            self._destroy(account.id, item)
        if items:
            self.activity.record(account, "trash.emptied", f"Emptied the trash ({len(items)} item(s))", "trash")
        return len(items)

    def _reinsert(self, account: Account, entity: Trashable) -> None:
        table = self.world.kind(entity.kind)(account.id)
        scope: dict[str, Any] = {"project_id": entity.project_id} if isinstance(entity, Model) else {}
        # Something may have taken the slug meanwhile; the restored item yields.
        if table.newest_first(slug=entity.slug, **scope)[1]:
            entity.slug = free_slug(table, entity.slug, **scope)
        table.add(entity.id, entity)

    def _destroy(self, account_id: str, item: TrashItem) -> None:
        w = self.world
        w.trash(account_id).remove(item.id)
        w.clock.cancel(lambda d: d.kind == PURGE_EVENT and d.payload.get("itemId") == item.id)
        for ent in (item.entity, *item.children):
            file = getattr(ent, "file", None)
            if file is not None:
                w.blobs.delete(file.blob_id)
            for image in getattr(ent, "images", []):
                w.blobs.delete(image.blob_id)

    def _purge_due(self, payload: dict[str, Any]) -> None:
        account_id = payload["accountId"]
        item = self.world.trash(account_id).get(payload["itemId"])
        if item is not None:
            self._destroy(account_id, item)
            self.activity.record(
                account_id,
                f"{item.type}.purged",
                f"Permanently deleted {item.type} '{item.name}' after 30 days",
                item.type,
                item.id,
            )
