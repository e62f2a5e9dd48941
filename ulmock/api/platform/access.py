"""Owner/slug addressing: checking path segments and finding the caller's records by them.

Someone else's private record answers exactly as a missing one does (404, same
message), so a caller cannot probe which names exist in other workspaces.
"""

from __future__ import annotations

import re
from typing import Any

from ulmock.domain.entities import Account, Dataset, Model, Project
from ulmock.errors import NotFound, ValidationError
from ulmock.routing import Call

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 128
# Usernames predate the slug rule: scenarios and the seed face allow capitals and "_".
OWNER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def check_slug(value: str, field: str) -> str:
    if len(value) > SLUG_MAX or not SLUG.match(value):
        raise ValidationError(
            f"Invalid {field}: lowercase letters, digits and single hyphens, at most {SLUG_MAX} characters",
            {field: value[:SLUG_MAX]},
        )
    return value


def check_owner(value: str) -> str:
    if not OWNER.match(value):
        raise ValidationError("Invalid owner", {"owner": value[:64]})
    return value


def owner_of(call: Call, kind: str) -> Account:
    """The path's owner when it is the caller; anyone else is a 404 for `kind`."""
    owner = check_owner(call.params["owner"])
    if owner != call.account.username:
        raise missing(kind)
    return call.account


def missing(kind: str) -> NotFound:
    return NotFound(f"{kind.capitalize()} not found")


def _by_slug(call: Call, kind: str, account: Account, slug: str, **scope: Any) -> Any:
    rows, total = call.platform.world.table(kind, account.id).newest_first(slug=slug, **scope)
    row = next(rows, None) if total else None
    if row is None:
        raise missing(kind)
    return row


def project_at(call: Call, field: str = "project") -> Project:
    account = owner_of(call, "project")
    project: Project = _by_slug(call, "project", account, check_slug(call.params[field], field))
    return project


def model_at(call: Call) -> tuple[Project, Model]:
    account = owner_of(call, "model")
    project_slug = check_slug(call.params["project"], "project")
    model_slug = check_slug(call.params["model"], "model")
    try:
        project: Project = _by_slug(call, "project", account, project_slug)
    except NotFound:
        raise missing("model") from None
    model: Model = _by_slug(call, "model", account, model_slug, project_id=project.id)
    return project, model


def dataset_at(call: Call, *, readable: bool = False) -> Dataset:
    """The path's dataset: the caller's own, or (`readable`) anyone's public one."""
    owner = check_owner(call.params["owner"])
    slug = check_slug(call.params["dataset"], "dataset")
    if owner == call.account.username:
        dataset: Dataset = _by_slug(call, "dataset", call.account, slug)
        return dataset
    other = call.platform.accounts.by_username(owner) if readable else None
    if other is None:
        raise missing("dataset")
    found: Dataset = _by_slug(call, "dataset", other, slug)
    if found.visibility != "public":
        raise missing("dataset")
    return found
