"""A dataset's exports and saved versions: download it as it is or as saved, save the next
version, describe one, restore one."""

from __future__ import annotations

from typing import Literal, NotRequired

from pydantic import Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.files import signed_urls
from ulmock.api.inputs import Body, JsonInt, Query
from ulmock.api.operations import Call
from ulmock.api.platform.access import dataset_at, owner_account
from ulmock.api.platform.routes import CONFLICTING, WRITE, PlatformRoutes, ok
from ulmock.api.platform.vocabulary import Description
from ulmock.domain.entities import Dataset
from ulmock.domain.errors import Conflict

routes = PlatformRoutes("Datasets")


class VersionDownload(TypedDict):
    downloadUrl: str
    version: int


class CurrentDownload(TypedDict):
    downloadUrl: str
    cached: bool


class VersionCreated(TypedDict):
    version: int
    downloadUrl: NotRequired[str]
    reused: bool


class VersionDescribed(TypedDict):
    ok: Literal[True]


class VersionRestored(TypedDict):
    version: int
    imageCount: int


class ExportQuery(Query):
    v: int | None = Field(None, ge=1, description="Saved version number")


class NewVersion(Body):
    description: Description | None = None
    download: bool = True


class VersionChange(Body):
    version: JsonInt = Field(ge=1)
    description: Description


class RestoreRequest(Body):
    version: JsonInt = Field(ge=1)


@routes.get(
    "/api/datasets/{owner}/{dataset}/export",
    query=ExportQuery,
    response=VersionDownload | CurrentDownload,
    category="export",
)
def export_dataset(call: Call) -> Response:
    """A signed NDJSON download of the dataset as it is, or of a saved version (`v`)."""
    p = call.platform
    dataset = dataset_at(call, readable=True)
    if call.query.v is None:
        _, download = (
            p.datasets.export(call.account, dataset.id)
            if dataset.account_id == call.account.id
            else p.datasets.export_by_slug(call.account, owner_account(call, dataset), dataset.slug)
        )
        return ok(CurrentDownload(downloadUrl=signed_urls.url(p.world.signer, download, call.base_url), cached=False))
    version = p.datasets.version(dataset, call.query.v)
    grant = p.datasets.version_download(dataset, version.number)
    return ok(
        VersionDownload(downloadUrl=signed_urls.url(p.world.signer, grant, call.base_url), version=version.number)
    )


def _ready(dataset: Dataset) -> None:
    if dataset.status == "processing":
        raise Conflict("Dataset is not ready: an import is running", {"status": dataset.status})


@routes.post(
    "/api/datasets/{owner}/{dataset}/export",
    body=NewVersion,
    response=VersionCreated,
    errors=CONFLICTING,
    category="export",
)
def create_dataset_version(call: Call) -> Response:
    """Save the dataset as the next numbered, immutable version (an unchanged one is reused)."""
    p = call.platform
    dataset = dataset_at(call)
    _ready(dataset)
    version, reused = p.datasets.save_version(call.account, dataset, call.body.description)
    answer = VersionCreated(version=version.number, reused=reused)
    if call.body.download:
        grant = p.datasets.version_download(dataset, version.number)
        answer["downloadUrl"] = signed_urls.url(p.world.signer, grant, call.base_url)
    return ok(answer)


@routes.patch("/api/datasets/{owner}/{dataset}/export", body=VersionChange, response=VersionDescribed, errors=WRITE)
def describe_dataset_version(call: Call) -> Response:
    """Change the description of a saved version."""
    dataset = dataset_at(call)
    version = call.platform.datasets.version(dataset, call.body.version)
    version.description = call.body.description.strip()
    return ok(VersionDescribed(ok=True))


@routes.post(
    "/api/datasets/{owner}/{dataset}/restore", body=RestoreRequest, response=VersionRestored, errors=CONFLICTING
)
def restore_dataset_version(call: Call) -> Response:
    """Put a saved version's images, labels and classes back."""
    dataset = dataset_at(call)
    _ready(dataset)
    version = call.platform.datasets.restore_version(call.account, dataset, call.body.version)
    return ok(VersionRestored(version=version.number, imageCount=len(dataset.images)))
