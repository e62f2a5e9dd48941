"""The request journal: what every client asked and what ulmock answered."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

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


class Journal:
    """A bounded log of requests, newest last; old entries fall off the front."""

    def __init__(self, size: int = JOURNAL_SIZE):
        self._entries: deque[JournalEntry] = deque(maxlen=size)
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
    ) -> JournalEntry:
        with self._lock:
            entry = JournalEntry(next(self._ids), at, method, path, query, status, account, duration_ms, fault)
            self._entries.append(entry)
            return entry

    def query(
        self,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        account: str | None = None,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        with self._lock:
            entries = list(self._entries)
        out = [
            e
            for e in entries
            if (method is None or e.method == method.upper())
            and (path is None or e.path.startswith(path))
            and (status is None or e.status == status)
            and (account is None or e.account == account)
        ]
        return out[-limit:] if limit else out

    def clear(self) -> int:
        with self._lock:
            n = len(self._entries)
            self._entries.clear()
            return n

    def __len__(self) -> int:
        return len(self._entries)
