"""The lock around one emulator's world: re-entrant, and it knows who holds it.

Request handlers, the clock's ticker and the webhook sender all change or read the
world under it. The sender needs it to record an attempt, so whoever waits for the
sender must not hold it; `held()` says whether the calling thread does (CPython's
RLock keeps that to itself).
"""

from __future__ import annotations

import threading
from types import TracebackType


class WorldLock:
    __slots__ = ("_depth", "_lock", "_owner")

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._owner: int | None = None
        self._depth = 0  # changed only by the holder

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if not self._lock.acquire(blocking, timeout):
            return False
        self._owner = threading.get_ident()
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
        self._lock.release()

    def held(self) -> bool:
        """Whether the calling thread holds the lock."""
        return self._owner == threading.get_ident()

    __enter__ = acquire

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()
