"""The activity feed: every state change of an account appends an event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ulmock.domain.entities import Account, ActivityEvent
from ulmock.domain.store import Page
from ulmock.domain.world import World


@dataclass(frozen=True)
class ActivityQuery:
    start: float | None = None
    end: float | None = None
    search: str | None = None
    include_archived: bool = False


class Activity:
    def __init__(self, world: World):
        self.world = world

    def record(
        self,
        account: Account | str,
        type: str,
        message: str,
        resource_type: str | None = None,
        resource_id: str | None = None,
    ) -> ActivityEvent:
        account_id = account if isinstance(account, str) else account.id
        w = self.world
        return w.create(
            w.activity, account_id, type=type, message=message, resource_type=resource_type, resource_id=resource_id
        )

    def list(self, account: Account, query: ActivityQuery, page: int, limit: int) -> Page[ActivityEvent]:
        table = self.world.activity(account.id)
        needle = query.search.lower() if query.search else None
        if needle is None and query.start is None and query.end is None and query.include_archived:
            return table.page(page, limit)

        def keep(e: ActivityEvent) -> bool:
            return (
                (query.include_archived or not e.archived)
                and (query.start is None or e.created_at >= query.start)
                and (query.end is None or e.created_at <= query.end)
                and (needle is None or needle in e.message.lower())
            )

        return table.filtered_page(page, limit, keep)

    def mark_seen(self, account: Account, ids: Sequence[str] | None) -> int:
        return self._update(account, ids, "seen")

    def archive(self, account: Account, ids: Sequence[str] | None) -> int:
        return self._update(account, ids, "archived")

    def _update(self, account: Account, ids: Sequence[str] | None, flag: str) -> int:
        table = self.world.activity(account.id)
        events = table.values() if ids is None else (table.get(i) for i in ids)
        changed = 0
        for event in events:
            if event is not None and not getattr(event, flag):
                setattr(event, flag, True)
                changed += 1
        return changed
