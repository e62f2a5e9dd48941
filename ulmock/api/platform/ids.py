"""The live face's ids: 24 lowercase hex characters, derived from the domain's ids.

The domain names records its own way (`project_...`); the live contract shows ObjectId-
like hex. A public id is a hash of the domain id, so it is stable across restarts and
snapshots and needs no table of its own; going back is a walk over the caller's records
(worlds are small, and only a few operations take an id instead of a slug).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any, TypeVar

HEX_ID = re.compile(r"^[0-9a-f]{24}$")
T = TypeVar("T")


def public_id(domain_id: str) -> str:
    return hashlib.sha256(domain_id.encode()).hexdigest()[:24]


def find_public(rows: Iterable[T], ident: str, attr: str = "id") -> T | None:
    """The row among `rows` whose public id is `ident`."""
    if not HEX_ID.match(ident):
        return None
    for row in rows:
        value: Any = getattr(row, attr)
        if public_id(value) == ident:
            return row
    return None
