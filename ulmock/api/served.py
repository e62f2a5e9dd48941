"""What an HTTP handler outside the operation table gets of the emulator: the world
served now and the lock it is read and changed under (the emulator is one)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from ulmock.domain.backend import Platform


class Served(Protocol):
    @property
    def lock(self) -> AbstractContextManager[Any]: ...

    @property
    def platform(self) -> Platform:
        """The world served now (a reset, a scenario or a snapshot replaces it)."""
