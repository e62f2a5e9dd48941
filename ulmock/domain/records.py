"""What every account-owned resource shares: lookup with 404 for strangers, names, slugs."""

from __future__ import annotations

from typing import Any, TypeVar

from ulmock.domain.entities import Account
from ulmock.domain.ids import slugify
from ulmock.domain.store import HasId, Kind, Table
from ulmock.domain.errors import Conflict, ValidationError, not_found

NAME_MAX = 100
DESCRIPTION_MAX = 1000


R = TypeVar("R", bound=HasId)


def fetch(kind: Kind[R], account: Account, ident: str) -> R:
    """The caller's resource, or 404: someone else's id is indistinguishable from none."""
    row = kind(account.id).get(ident)
    if row is None:
        raise not_found(kind.name, ident)
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


def claim_slug(table: Table[Any], slug: str | None, name: str, kind: str, **scope: Any) -> str:
    """The slug a new record takes: the one asked for, which must be free (409), or one made from `name`."""
    if slug is None:
        return free_slug(table, name, **scope)
    if table.newest_first(slug=slug, **scope)[1]:
        raise Conflict(f"A {kind} named '{slug}' already exists", {"slug": slug})
    return slug


def rename(table: Table[Any], row: Any, name: str, kind: str, **scope: Any) -> None:
    """A new display name, and the slug made from it (409 when another record has that slug)."""
    name = clean_name(name)
    slug = slugify(name)
    if slug != row.slug:
        rows, total = table.newest_first(slug=slug, **scope)
        if total and any(other.id != row.id for other in rows):
            raise Conflict(f"A {kind} named '{slug}' already exists", {"slug": slug})
        old = row.slug
        row.slug = slug
        table.reindex(row.id, "slug", old)
    row.name = name
