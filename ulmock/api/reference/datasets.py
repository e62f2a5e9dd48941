"""/api/datasets: list, get, create, delete, export (and the SDK's owner/slug export)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.files import signed_urls
from ulmock.api.operations import Call
from ulmock.api.reference import envelope
from ulmock.api.reference.requests import CreateDataset, DatasetListQuery
from ulmock.api.reference.routes import ReferenceRoutes
from ulmock.api.reference.views import TrashedView, shape, trashed_view
from ulmock.api.responses import JsonFragment, dumps
from ulmock.domain.clock import iso
from ulmock.domain.entities import Dataset, Visibility
from ulmock.domain.memo import Memo
from ulmock.domain.signing import SignedPath


@shape
class SplitCounts(TypedDict):
    train: int
    val: int
    test: int


@shape
class DatasetView(TypedDict):
    id: str
    name: str
    slug: str
    task: str
    description: str
    imageCount: int
    classCount: int
    classNames: list[str]
    splits: SplitCounts
    visibility: Visibility
    owner: str
    createdAt: str
    updatedAt: str


# What a dataset's view is made of, in order; the view is a pure function of these values.
DatasetFacts = tuple[str, str, str, str, str, int, tuple[str, ...], int, int, int, Visibility, str, float, float]


def dataset_facts(d: Dataset, owner: str) -> DatasetFacts:
    # Twenty of these make a list page, its largest cost: the fields are read from the
    # record's own dict (where pydantic keeps them), a lookup each instead of an attribute.
    fields = vars(d)
    images = fields["images"]
    splits = {"train": 0, "val": 0, "test": 0}
    for image in images:
        splits[image.split] += 1
    return (
        fields["id"],
        fields["name"],
        fields["slug"],
        fields["task"],
        fields["description"],
        len(images),
        tuple(fields["class_names"]),
        splits["train"],
        splits["val"],
        splits["test"],
        fields["visibility"],
        owner,
        fields["created_at"],
        fields["updated_at"],
    )


def view_of(facts: DatasetFacts) -> DatasetView:
    (
        id_,
        name,
        slug,
        task,
        description,
        image_count,
        class_names,
        train,
        val,
        test,
        visibility,
        owner,
        created,
        updated,
    ) = facts
    return {
        "id": id_,
        "name": name,
        "slug": slug,
        "task": task,
        "description": description,
        "imageCount": image_count,
        "classCount": len(class_names),
        "classNames": list(class_names),
        "splits": {"train": train, "val": val, "test": test},
        "visibility": visibility,
        "owner": owner,
        "createdAt": iso(created),
        "updatedAt": iso(updated),
    }


def dataset_view(d: Dataset, owner: str) -> DatasetView:
    return view_of(dataset_facts(d, owner))


# A list page's items as JSON, remembered by the facts they are made of. The bytes are a
# pure function of the facts, which are read from the records on every call: a record that
# changed has other facts and gets new bytes, so a remembered item is never stale.
def _encoded(facts: DatasetFacts) -> JsonFragment:
    return JsonFragment(dumps(view_of(facts)))


_dataset_json: Callable[[DatasetFacts], JsonFragment] = Memo(_encoded, keep=4096).__getitem__


def dataset_items(datasets: list[Dataset], owner: str) -> list[JsonFragment]:
    return [_dataset_json(dataset_facts(d, owner)) for d in datasets]


@shape
class DatasetExportView(TypedDict):
    datasetId: str
    format: Literal["ndjson"]
    downloadUrl: str
    expiresAt: str
    imageCount: int


def dataset_export_view(d: Dataset, signed: SignedPath, base_url: str) -> DatasetExportView:
    return {
        "datasetId": d.id,
        "format": "ndjson",
        "downloadUrl": signed.absolute(base_url),
        "expiresAt": iso(signed.expires_at),
        "imageCount": len(d.images),
    }


routes = ReferenceRoutes("datasets", scope="datasets")


@routes.get("/api/datasets", query=DatasetListQuery, response=DatasetView, paginated=True)
def list_datasets(call: Call) -> Response:
    """List your datasets, newest first."""
    q = call.query
    page = call.platform.datasets.list(call.account, q.page, q.limit, q.task)
    return envelope.paged(page, dataset_items(page.items, call.account.username))


@routes.create("/api/datasets", "datasetId", "get_dataset", "delete_dataset", body=CreateDataset, response=DatasetView)
def create_dataset(call: Call) -> DatasetView:
    """Create an empty dataset."""
    b = call.body
    dataset = call.platform.datasets.create(call.account, b.name, b.task, b.description)
    return dataset_view(dataset, call.account.username)


@routes.get("/api/datasets/{datasetId}", response=DatasetView)
def get_dataset(call: Call) -> DatasetView:
    """One dataset."""
    dataset = call.platform.datasets.get(call.account, call.params["datasetId"])
    return dataset_view(dataset, call.account.username)


@routes.delete("/api/datasets/{datasetId}", response=TrashedView)
def delete_dataset(call: Call) -> TrashedView:
    """Move a dataset to the trash (restorable for 30 days)."""
    item = call.platform.datasets.delete(call.account, call.params["datasetId"])
    return trashed_view(item)


@routes.post("/api/datasets/{datasetId}/export", response=DatasetExportView)
def export_dataset(call: Call) -> DatasetExportView:
    """A signed, expiring URL to the dataset as NDJSON."""
    dataset, download = call.platform.datasets.export(call.account, call.params["datasetId"])
    return dataset_export_view(dataset, signed_urls.signed(call.platform.world.signer, download), call.base_url)


# the SDK reads downloadUrl at the top
@routes.get("/api/datasets/{owner}/{slug}/export", response=DatasetExportView, mirrored=True)
def export_dataset_by_slug(call: Call) -> DatasetExportView:
    """The SDK's export of `ul://owner/datasets/slug` (yours, or a public one)."""
    p = call.platform
    owner = p.accounts.by_username(call.params["owner"])
    dataset, download = p.datasets.export_by_slug(call.account, owner, call.params["slug"])
    return dataset_export_view(dataset, signed_urls.signed(p.world.signer, download), call.base_url)
