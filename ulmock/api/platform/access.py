"""Owner/slug addressing: checking path segments and finding the caller's records by them.

Someone else's private record answers exactly as a missing one does (404, same
message), so a caller cannot probe which names exist in other workspaces.
"""

from __future__ import annotations

import re
from typing import Any

from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.platform.ids import find_public, public_id
from ulmock.api.platform.vocabulary import Region
from ulmock.domain.entities import Account, Dataset, Deployment, Model, Project
from ulmock.domain.errors import Forbidden, NotFound, ValidationError

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


def workspace(call: Call, owner: str | None) -> Account:
    """Where a create or a copy lands: the caller's own account (teams are browser-only here)."""
    if owner is not None and check_owner(owner) != call.account.username:
        raise Forbidden("Workspace editor access required")
    return call.account


class Landed(TypedDict):
    """Where a new record (made, or copied) landed: what every answer to a create or a copy carries."""

    id: str
    owner: str
    region: Region


def landed(account: Account, record: Project | Dataset | Model) -> Landed:
    return Landed(id=public_id(record.id), owner=account.username, region=account.region)


def listed(call: Call, kind: str) -> tuple[Account, list[Any]]:
    """The path's owner and its records of `kind` the caller sees, newest first: all of its own,
    the public ones of anyone else. An unknown owner is a 404 for `owner`."""
    owner = call.platform.accounts.by_username(check_owner(call.params["owner"]))
    if owner is None:
        raise missing("owner")
    rows, _ = call.platform.world.kind(kind)(owner.id).newest_first()
    return owner, [r for r in rows if owner.id == call.account.id or r.visibility == "public"]


def missing(kind: str) -> NotFound:
    return NotFound(f"{kind.capitalize()} not found")


def _path_owner(call: Call, kind: str, readable: bool) -> Account:
    """The caller, when the path names it; with `readable`, any existing account (its public records)."""
    owner = check_owner(call.params["owner"])
    if owner == call.account.username:
        return call.account
    other = call.platform.accounts.by_username(owner) if readable else None
    if other is None:
        raise missing(kind)
    return other


def _by_slug(call: Call, kind: str, account: Account, slug: str, **scope: Any) -> Any:
    rows, total = call.platform.world.kind(kind)(account.id).newest_first(slug=slug, **scope)
    row = next(rows, None) if total else None
    if row is None:
        raise missing(kind)
    return row


def project_at(call: Call, field: str = "project", *, readable: bool = False, kind: str = "project") -> Project:
    """The path's project: the caller's own, or (`readable`) anyone's public one; else 404 for `kind`."""
    account = _path_owner(call, kind, readable)
    slug = check_slug(call.params[field], field)
    try:
        project: Project = _by_slug(call, "project", account, slug)
    except NotFound:
        raise missing(kind) from None
    if account.id != call.account.id and project.visibility != "public":
        raise missing(kind)
    return project


def model_at(call: Call, *, readable: bool = False) -> tuple[Project, Model]:
    """The path's model: in one of the caller's projects, or (`readable`) in anyone's public project."""
    model_slug = check_slug(call.params["model"], "model")
    project = project_at(call, readable=readable, kind="model")
    owner = owner_account(call, project)
    model: Model = _by_slug(call, "model", owner, model_slug, project_id=project.id)
    return project, model


def dataset_at(call: Call, *, readable: bool = False) -> Dataset:
    """The path's dataset: the caller's own, or (`readable`) anyone's public one."""
    account = _path_owner(call, "dataset", readable)
    dataset: Dataset = _by_slug(call, "dataset", account, check_slug(call.params["dataset"], "dataset"))
    if account.id != call.account.id and dataset.visibility != "public":
        raise missing("dataset")
    return dataset


def model_named(call: Call, project_slug: str, model_slug: str) -> Model:
    """The caller's model named by slugs in a body or a query; a 404 for `model` when either is missing."""
    project = call.platform.projects.by_slug(call.account, check_slug(project_slug, "project"))
    slug = check_slug(model_slug, "model")
    if project is None:
        raise missing("model")
    model: Model = _by_slug(call, "model", call.account, slug, project_id=project.id)
    return model


def deployment_at(call: Call) -> Deployment:
    """The path's deployment, one of the caller's."""
    account = owner_of(call, "deployment")
    found = call.platform.deployments.by_slug(account, check_slug(call.params["deployment"], "deployment"))
    if found is None:
        raise missing("deployment")
    return found


def by_public_id(call: Call, kind: str, ident: str) -> Any | None:
    """The caller's record of `kind` whose public id is `ident`, if any."""
    return find_public(call.platform.world.kind(kind)(call.account.id).values(), ident)


def owner_account(call: Call, record: Project | Dataset | Model) -> Account:
    """The account that holds `record` (the caller, or the owner of a public record)."""
    return call.platform.world.accounts[record.account_id]


def model_served(call: Call, deployment: Deployment) -> Model | None:
    """The model `deployment` serves, unless it was deleted since."""
    model: Model | None = call.platform.world.models(deployment.account_id).get(deployment.model_id)
    return model


def project_of(call: Call, model: Model) -> Project | None:
    project: Project | None = call.platform.world.projects(model.account_id).get(model.project_id)
    return project
