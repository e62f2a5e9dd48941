"""Loaded networks in memory, one per model file, reloaded when the file changes.

Loading is lazy and happens at most once per file version even when many threads ask
at once: each path has its own load lock, so a slow load never blocks requests for
models already loaded. A file that cannot be run is remembered as such too, so a
broken upload costs one load attempt, not one per request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from ulmock.inference.errors import ModelNotRunnable

__all__ = ["LoadedModels", "file_stamp"]

T = TypeVar("T")
Stamp = tuple[int, int]  # mtime in ns, size in bytes


class _Missing:
    """Marks a cache miss; `None` cannot, as it may be a cached value."""


_MISSING = _Missing()


def file_stamp(path: Path) -> Stamp:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


class LoadedModels(Generic[T]):
    """An LRU of `T` keyed by file path and invalidated by the file's mtime and size."""

    def __init__(self, capacity: int = 8) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[Path, tuple[Stamp, T | ModelNotRunnable]] = OrderedDict()
        self._lock = threading.Lock()
        self._load_locks: dict[Path, threading.Lock] = {}

    def get(self, path: Path, load: Callable[[], T]) -> T:
        """The loaded value for `path`, calling `load` only if this version is new."""
        key = path.resolve()
        stamp = file_stamp(key)
        with self._lock:
            found = self._lookup(key, stamp)
            load_lock = self._load_locks.setdefault(key, threading.Lock())
        if isinstance(found, _Missing):
            with load_lock:
                with self._lock:
                    found = self._lookup(key, stamp)
                if isinstance(found, _Missing):
                    found = _attempt(load)
                    with self._lock:
                        self._store(key, stamp, found)
        if isinstance(found, ModelNotRunnable):
            raise ModelNotRunnable(found.message)  # a fresh one: tracebacks are per raise
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _lookup(self, key: Path, stamp: Stamp) -> T | ModelNotRunnable | _Missing:
        entry = self._entries.get(key)
        if entry is None or entry[0] != stamp:
            return _MISSING
        self._entries.move_to_end(key)
        return entry[1]

    def _store(self, key: Path, stamp: Stamp, value: T | ModelNotRunnable) -> None:
        self._entries[key] = (stamp, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)


def _attempt(load: Callable[[], T]) -> T | ModelNotRunnable:
    try:
        return load()
    except ModelNotRunnable as error:
        return error
