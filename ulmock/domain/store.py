"""Tables of records, kept per account, with the indexes lists filter on.

Insertion order is creation order, so "newest first" is a reverse walk and a page is a
slice of that walk: listing cost depends on the page, not on how much is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    limit: int

    def meta(self) -> dict[str, int]:
        return {"page": self.page, "limit": self.limit, "total": self.total}


class Table(Generic[T]):
    """Records by id, in insertion order, with optional equality indexes."""

    def __init__(self, index_on: Iterable[str] = ()):
        self._rows: dict[str, T] = {}
        self._index_fields = tuple(index_on)
        self._indexes: dict[str, dict[Any, dict[str, None]]] = {f: {} for f in self._index_fields}

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, ident: object) -> bool:
        return ident in self._rows

    def get(self, ident: str) -> T | None:
        return self._rows.get(ident)

    def add(self, ident: str, row: T) -> None:
        self._rows[ident] = row
        for f in self._index_fields:
            self._indexes[f].setdefault(getattr(row, f), {})[ident] = None

    def remove(self, ident: str) -> T | None:
        row = self._rows.pop(ident, None)
        if row is not None:
            for f in self._index_fields:
                bucket = self._indexes[f].get(getattr(row, f))
                if bucket is not None:
                    bucket.pop(ident, None)
        return row

    def reindex(self, ident: str, field: str, old: Any) -> None:
        """Call after changing an indexed field of a stored row."""
        row = self._rows[ident]
        self._indexes[field].get(old, {}).pop(ident, None)
        self._indexes[field].setdefault(getattr(row, field), {})[ident] = None

    def values(self) -> Iterator[T]:
        return iter(list(self._rows.values()))

    def newest_first(self, **where: Any) -> tuple[Iterator[T], int]:
        """Rows matching equality filters, newest first, and how many there are."""
        active = {f: v for f, v in where.items() if v is not None}
        if not active:
            return (self._rows[i] for i in reversed(self._rows)), len(self._rows)
        # Walk the smallest index bucket; check the other filters row by row.
        field, value = min(active.items(), key=lambda fv: len(self._indexes[fv[0]].get(fv[1], {})))
        bucket = self._indexes[field].get(value, {})
        rest = {f: v for f, v in active.items() if f != field}
        if not rest:
            return (self._rows[i] for i in reversed(bucket)), len(bucket)
        matches = [i for i in reversed(bucket) if all(getattr(self._rows[i], f) == v for f, v in rest.items())]
        return (self._rows[i] for i in matches), len(matches)

    def page(self, page: int, limit: int, **where: Any) -> Page[T]:
        start = (page - 1) * limit
        keys = self._ordered_ids(where)
        if keys is None:  # several filters: walk the rows
            rows, total = self.newest_first(**where)
            if start >= total:
                return Page([], total, page, limit)
            return Page(list(islice(rows, start, start + limit)), total, page, limit)
        total = len(keys)
        if start >= total:  # past the end (islice also refuses starts beyond sys.maxsize)
            return Page([], total, page, limit)
        stop = min(start + limit, total)
        # Skip ids, not rows, and from whichever end is nearer: deep pages stay cheap.
        if start <= total // 2:
            ids = list(islice(reversed(keys), start, stop))
        else:
            ids = list(islice(keys, total - stop, total - start))[::-1]
        return Page([self._rows[i] for i in ids], total, page, limit)

    def _ordered_ids(self, where: dict[str, Any]) -> dict[str, Any] | None:
        """Ids (oldest first) matching at most one equality filter; None for more."""
        active = [(f, v) for f, v in where.items() if v is not None]
        if not active:
            return self._rows
        if len(active) == 1:
            field, value = active[0]
            return self._indexes[field].get(value, {})
        return None

    def filtered_page(self, page: int, limit: int, keep: Callable[[T], bool]) -> Page[T]:
        """Page through rows passing an arbitrary predicate (activity search, dates)."""
        matching = [r for r in (self._rows[i] for i in reversed(self._rows)) if keep(r)]
        start = (page - 1) * limit
        return Page(matching[start : start + limit], len(matching), page, limit)

    def clear(self) -> None:
        self._rows.clear()
        for f in self._index_fields:
            self._indexes[f].clear()


class HasId(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=HasId)


class Kind(Generic[R]):
    """One kind of record across accounts: a `Table[R]` per account, made on first use.

    `world.models(account_id)` is that account's table of models; `world.models.find(id)`
    looks across accounts (signed URLs carry their own authority).
    """

    def __init__(self, name: str, record: type[R], index_on: tuple[str, ...] = (), prefix: str | None = None):
        self.name = name
        self.record = record
        self.index_on = index_on
        self.prefix = prefix or name  # what its ids begin with: `<prefix>_...`
        self.by_account: dict[str, Table[R]] = {}

    def __call__(self, account_id: str) -> Table[R]:
        table = self.by_account.get(account_id)
        if table is None:
            table = self.by_account[account_id] = Table(self.index_on)
        return table

    def add(self, account_id: str, row: R) -> None:
        self(account_id).add(row.id, row)

    def find(self, ident: str) -> R | None:
        """A live record by id, whoever owns it."""
        for table in self.by_account.values():
            row = table.get(ident)
            if row is not None:
                return row
        return None

    def load(self, account_id: str, rows: Iterable[R]) -> None:
        """Rows restored from a snapshot."""
        table = self(account_id)
        for row in rows:
            table.add(row.id, row)

    def drop(self, account_id: str) -> None:
        self.by_account.pop(account_id, None)
