"""A value worked out once per key and looked up after that.

`Memo(make).__getitem__` is a plain dict lookup on a hit, with no Python frame: about half
of what `functools.lru_cache`'s wrapper costs, for values read on every request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Memo(dict[K, V], Generic[K, V]):
    """`make(key)` for each key, made on its first lookup; with `keep`, it starts again when full."""

    def __init__(self, make: Callable[[K], V], keep: int | None = None):
        super().__init__()
        self.make = make
        self.keep = keep

    def __missing__(self, key: K) -> V:
        if self.keep is not None and len(self) >= self.keep:
            self.clear()
        value = self[key] = self.make(key)
        return value
