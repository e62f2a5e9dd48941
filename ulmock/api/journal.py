"""The request journal: what every client asked and what ulmock answered."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any, Final

from ulmock.domain.clock import iso_uncached

JOURNAL_SIZE = 10_000


@dataclass(slots=True)  # ten thousand of them stay alive: no __dict__ each
class JournalEntry:
    id: int
    at: float  # emulated epoch seconds; rendered only when someone reads the journal
    method: str
    path: str
    query: str
    status: int
    account: str | None
    durationMs: float
    fault: str | None = None

    @property
    def time(self) -> str:
        return iso_uncached(self.at)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["time"] = self.time
        del out["at"]
        return out


# What the journal keeps of a request: JournalEntry's fields, in order. A plain tuple costs
# a tenth of the entry on the request's way out; an entry is made when someone reads it.
Row = tuple[int, float, str, str, str, int, str | None, float, str | None]
METHOD: Final = 2
PATH: Final = 3
STATUS: Final = 5
ACCOUNT: Final = 6


class Journal:
    """A bounded log of requests, newest last; old entries fall off the front."""

    def __init__(self, size: int = JOURNAL_SIZE):
        self._rows: deque[Row] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def record(
        self,
        at: float,
        method: str,
        path: str,
        query: str,
        status: int,
        account: str | None,
        duration_ms: float,
        fault: str | None = None,
    ) -> None:
        with self._lock:
            self._rows.append((next(self._ids), at, method, path, query, status, account, duration_ms, fault))

    def query(
        self,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        account: str | None = None,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        with self._lock:
            rows = list(self._rows)
        wanted = method.upper() if method is not None else None
        out = [
            r
            for r in rows
            if (wanted is None or r[METHOD] == wanted)
            and (path is None or r[PATH].startswith(path))
            and (status is None or r[STATUS] == status)
            and (account is None or r[ACCOUNT] == account)
        ]
        return [JournalEntry(*r) for r in (out[-limit:] if limit else out)]

    def clear(self) -> int:
        with self._lock:
            n = len(self._rows)
            self._rows.clear()
            return n

    def __len__(self) -> int:
        return len(self._rows)
