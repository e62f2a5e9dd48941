"""Storage in use, summed from what the account really stores."""

from __future__ import annotations

from dataclasses import dataclass

from ulmock.domain.catalogue import PLAN_LIMITS
from ulmock.domain.entities import Account
from ulmock.domain.errors import Forbidden
from ulmock.domain.world import World


@dataclass(frozen=True)
class StorageUsage:
    used: int
    limit: int
    models: int
    datasets: int
    trash: int
    exports: int = 0

    @property
    def percentage(self) -> float:
        return round(100.0 * self.used / self.limit, 4) if self.limit else 0.0


class Storage:
    def __init__(self, world: World):
        self.world = world

    def usage(self, account: Account) -> StorageUsage:
        w = self.world
        models = sum(m.file.size for m in w.models(account.id).values() if m.file)
        datasets = sum(w.blobs.blobs[i.blob_id].size for d in w.datasets(account.id).values() for i in d.images)
        trash = 0
        for item in w.trash(account.id).values():
            for ent in (item.entity, *item.children):
                file = getattr(ent, "file", None)
                trash += file.size if file else 0
                trash += sum(w.blobs.blobs[i.blob_id].size for i in getattr(ent, "images", []))
        exports = sum(e.size for e in w.exports(account.id).values() if e.blob_id)
        used = models + datasets + trash + exports
        return StorageUsage(used, PLAN_LIMITS[account.plan].storage_bytes, models, datasets, trash, exports)

    def require_room(self, account: Account, extra: int) -> None:
        usage = self.usage(account)
        if usage.used + extra > usage.limit:
            raise Forbidden(
                "Storage limit reached for your plan",
                {"used": usage.used, "limit": usage.limit, "requested": extra},
            )
