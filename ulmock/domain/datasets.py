"""Datasets: created empty through the API, filled with images by scenarios and fixtures.

Exports are NDJSON in the format the `ultralytics` package converts: a dataset line,
then one line per image whose `url` is a signed download of the image's real bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from ulmock.clock import iso
from ulmock.domain.activity import Activity
from ulmock.domain.catalogue import TASKS
from ulmock.domain.entities import Account, Dataset, DatasetImage, TrashItem
from ulmock.domain.owned import clean_description, clean_name, fetch, free_slug
from ulmock.domain.signing import SignedPath
from ulmock.domain.store import Page
from ulmock.domain.trash import Trash
from ulmock.domain.world import World
from ulmock.errors import ValidationError, not_found

EXPORT_TTL = 3600.0
# Images listed in an export must stay downloadable while a client converts them.
IMAGE_URL_TTL = 7 * 86_400.0


def check_task(task: str) -> str:
    if task not in TASKS:
        raise ValidationError(f"Unknown task '{task}'", {"task": f"one of {', '.join(TASKS)}"})
    return task


class Datasets:
    def __init__(self, world: World, activity: Activity, trash: Trash):
        self.world = world
        self.activity = activity
        self.trash = trash

    def list(self, account: Account, page: int, limit: int, task: str | None = None) -> Page[Dataset]:
        if task is not None:
            check_task(task)
        return self.world.table("dataset", account.id).page(page, limit, task=task)

    def get(self, account: Account, dataset_id: str) -> Dataset:
        dataset: Dataset = fetch(self.world, "dataset", account, dataset_id)
        return dataset

    def create(
        self,
        account: Account,
        name: str,
        task: str,
        description: str | None = None,
        *,
        class_names: Sequence[str] | None = None,
        visibility: str = "private",
        quiet: bool = False,
    ) -> Dataset:
        w = self.world
        name = clean_name(name)
        check_task(task)
        table = w.table("dataset", account.id)
        now = w.now()
        dataset = Dataset(
            id=w.ids.new("dataset"),
            account_id=account.id,
            name=name,
            slug=free_slug(table, name),
            task=task,
            description=clean_description(description),
            class_names=list(class_names or []),
            visibility=visibility,
            created_at=now,
            updated_at=now,
        )
        table.add(dataset.id, dataset)
        if not quiet:
            self.activity.record(account, "dataset.created", f"Created dataset '{name}'", "dataset", dataset.id)
        return dataset

    def add_image(self, dataset: Dataset, image: DatasetImage) -> None:
        dataset.images.append(image)
        dataset.updated_at = self.world.now()

    def delete(self, account: Account, dataset_id: str) -> TrashItem:
        return self.trash.put(account, self.get(account, dataset_id))

    # -- export -------------------------------------------------------------
    def export(self, account: Account, dataset_id: str) -> tuple[Dataset, SignedPath]:
        dataset = self.get(account, dataset_id)
        return dataset, self._sign_export(account, dataset)

    def export_by_slug(self, account: Account, owner: Account | None, slug: str) -> tuple[Dataset, SignedPath]:
        """The SDK's `ul://owner/datasets/slug`: yours, or someone's public dataset."""
        dataset = self.by_slug(owner, slug) if owner is not None else None
        if dataset is None or (dataset.account_id != account.id and dataset.visibility != "public"):
            raise not_found("dataset", f"{owner.username if owner else '?'}/{slug}")
        return dataset, self._sign_export(account, dataset)

    def by_slug(self, owner: Account, slug: str) -> Dataset | None:
        rows, total = self.world.table("dataset", owner.id).newest_first(slug=slug)
        return next(rows, None) if total else None

    def _sign_export(self, account: Account, dataset: Dataset) -> SignedPath:
        w = self.world
        signed = w.signer.sign(f"/files/datasets/{dataset.id}/{dataset.slug}.ndjson", w.now(), EXPORT_TTL)
        self.activity.record(
            account, "dataset.exported", f"Exported dataset '{dataset.name}' as NDJSON", "dataset", dataset.id
        )
        return signed

    def find_any(self, dataset_id: str) -> Dataset | None:
        found: Dataset | None = self.world.find("dataset", dataset_id)
        return found

    def image_path(self, dataset: Dataset, image: DatasetImage) -> str:
        return f"/files/datasets/{dataset.id}/images/{image.file}"

    def ndjson_lines(self, dataset: Dataset, base_url: str) -> Iterator[str]:
        w = self.world
        now = w.now()
        header: dict[str, Any] = {
            "type": "dataset",
            "task": dataset.task,
            "name": dataset.name,
            "description": dataset.description,
            "url": f"{base_url.rstrip('/')}/api/datasets/{dataset.id}",
            "class_names": {str(i): n for i, n in enumerate(dataset.class_names)},
            "version": dataset.version,
            "created_at": iso(dataset.created_at),
            "updated_at": iso(dataset.updated_at),
        }
        yield json.dumps(header)
        for image in dataset.images:
            url = w.signer.sign(self.image_path(dataset, image), now, IMAGE_URL_TTL).absolute(base_url)
            line = {
                "type": "image",
                "file": image.file,
                "url": url,
                "width": image.width,
                "height": image.height,
                "split": image.split,
                "annotations": image.annotations,
            }
            yield json.dumps(line)
