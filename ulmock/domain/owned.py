"""What every account-owned resource shares: lookup with 404 for strangers, names, slugs."""

from __future__ import annotations

from typing import Any

from ulmock.domain.entities import Account
from ulmock.domain.ids import slugify
from ulmock.domain.store import Table
from ulmock.domain.world import World
from ulmock.errors import ValidationError, not_found

NAME_MAX = 100
DESCRIPTION_MAX = 1000


def fetch(world: World, kind: str, account: Account, ident: str) -> Any:
    """The caller's resource, or 404: someone else's id is indistinguishable from none."""
    row = world.table(kind, account.id).get(ident)
    if row is None:
        raise not_found(kind, ident)
    return row


def clean_name(name: str, field: str = "name") -> str:
    name = name.strip()
    if not name:
        raise ValidationError(f"{field} must not be empty", {field: "must not be empty"})
    if len(name) > NAME_MAX:
        raise ValidationError(f"{field} is too long", {field: f"at most {NAME_MAX} characters"})
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValidationError(f"{field} contains control characters", {field: "no control characters"})
    return name


def clean_description(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > DESCRIPTION_MAX:
        raise ValidationError("description is too long", {"description": f"at most {DESCRIPTION_MAX} characters"})
    return text


def free_slug(table: Table[Any], name: str, **scope: Any) -> str:
    """A slug for `name` that no live row in the same scope uses (`x`, `x-2`, `x-3`...)."""
    base = slugify(name)
    candidate, n = base, 2
    while table.newest_first(slug=candidate, **scope)[1]:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
