"""What every account-owned resource shares: lookup with 404 for strangers, names, slugs,
creation and update of the named records (projects, datasets, models)."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from ulmock.domain.activity import Activity
from ulmock.domain.entities import Account
from ulmock.domain.errors import Conflict, ValidationError, not_found
from ulmock.domain.ids import slugify
from ulmock.domain.store import HasId, Kind, Table
from ulmock.domain.world import World

NAME_MAX = 100
DESCRIPTION_MAX = 1000


class Named(Protocol):
    id: str
    name: str
    slug: str
    updated_at: float


R = TypeVar("R", bound=HasId)
N = TypeVar("N", bound=Named)


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


def free_slug(table: Table[N], name: str, **scope: Any) -> str:
    """A slug for `name` that no live row in the same scope uses (`x`, `x-2`, `x-3`...)."""
    base = slugify(name)
    candidate, n = base, 2
    while table.newest_first(slug=candidate, **scope)[1]:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def claim_slug(table: Table[N], slug: str | None, name: str, kind: str, **scope: Any) -> str:
    """The slug a new record takes: the one asked for, which must be free (409), or one made from `name`."""
    if slug is None:
        return free_slug(table, name, **scope)
    if table.newest_first(slug=slug, **scope)[1]:
        raise Conflict(f"A {kind} named '{slug}' already exists", {"slug": slug})
    return slug


def rename(table: Table[N], row: N, name: str, kind: str, **scope: Any) -> None:
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


def create_named(
    world: World,
    activity: Activity,
    account: Account,
    kind: Kind[N],
    name: str,
    slug: str | None,
    *,
    quiet: bool = False,
    scope: dict[str, Any] | None = None,
    **fields: Any,
) -> N:
    """A new record of `kind` named `name` (already clean): its id, its slug in `scope`, its
    timestamps, its place in the account's table, and (unless `quiet`) a 'created' event."""
    scope = scope or {}
    slug = claim_slug(kind(account.id), slug, name, kind.name, **scope)
    row = world.create(kind, account.id, name=name, slug=slug, **scope, **fields)
    if not quiet:
        activity.record(account, f"{kind.name}.created", f"Created {kind.name} '{name}'", kind.name, row.id)
    return row


def rename_and_describe(
    table: Table[N], row: N, name: str | None, fields: dict[str, Any], kind: str, **scope: Any
) -> None:
    """The first steps of an update: a new `name` renames the record and its slug; a description is cleaned."""
    if name is not None:
        rename(table, row, name, kind, **scope)
    if "description" in fields:
        fields["description"] = clean_description(fields["description"])


def set_fields(row: Named, fields: dict[str, Any], now: float) -> None:
    """The last step of an update: the other fields as given, and the time of the change."""
    for key, value in fields.items():
        setattr(row, key, value)
    row.updated_at = now
