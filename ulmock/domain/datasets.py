"""Datasets: created empty through the API, filled with images by scenarios and fixtures.

Exports are NDJSON in the format the `ultralytics` package converts: a dataset line,
then one line per image whose `url` is a signed download of the image's real bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ulmock.domain.activity import Activity
from ulmock.domain.catalogue import TASKS
from ulmock.domain.clock import iso
from ulmock.domain.entities import Account, Dataset, DatasetImage, DatasetVersion, TrashItem
from ulmock.domain.errors import NotFound, ValidationError, not_found
from ulmock.domain.grants import EXPORTED_IMAGE_TTL, BlobRef, Grant, grant
from ulmock.domain.records import clean_description, clean_name, create_named, fetch, rename_and_describe, set_fields
from ulmock.domain.store import Page
from ulmock.domain.trash import Trash
from ulmock.domain.world import World

# Images listed in an export must stay downloadable while a client converts them.


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
        return self.world.datasets(account.id).page(page, limit, task=task)

    def get(self, account: Account, dataset_id: str) -> Dataset:
        return fetch(self.world.datasets, account, dataset_id)

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
        slug: str | None = None,
        tags: Sequence[str] = (),
        metadata: dict[str, Any] | None = None,
    ) -> Dataset:
        w = self.world
        name = clean_name(name)
        check_task(task)
        return create_named(
            w,
            self.activity,
            account,
            w.datasets,
            name,
            slug,
            quiet=quiet,
            task=task,
            description=clean_description(description),
            class_names=list(class_names or []),
            visibility=visibility,
            tags=list(tags),
            metadata=dict(metadata or {}),
        )

    def add_image(self, dataset: Dataset, image: DatasetImage) -> None:
        dataset.images.append(image)
        dataset.updated_at = self.world.now()

    def delete(self, account: Account, dataset_id: str) -> TrashItem:
        return self.trash.put(account, self.get(account, dataset_id))

    def update(self, account: Account, dataset_id: str, *, name: str | None = None, **fields: Any) -> Dataset:
        """Change a dataset: a new `name` renames it and its slug; other fields are set as given."""
        dataset = self.get(account, dataset_id)
        rename_and_describe(self.world.datasets(account.id), dataset, name, fields, "dataset")
        if "task" in fields and fields["task"] != dataset.task:
            check_task(fields["task"])
            old = dataset.task
            dataset.task = fields.pop("task")
            self.world.datasets(account.id).reindex(dataset.id, "task", old)
        fields.pop("task", None)
        set_fields(dataset, fields, self.world.now())
        return dataset

    # -- versions -----------------------------------------------------------
    def save_version(self, account: Account, dataset: Dataset, description: str | None) -> tuple[DatasetVersion, bool]:
        """Snapshot the dataset as the next numbered version; an unchanged dataset reuses the last one."""
        latest = dataset.versions[-1] if dataset.versions else None
        if latest is not None and latest.images == dataset.images and latest.class_names == dataset.class_names:
            return latest, True
        version = DatasetVersion(
            number=(latest.number + 1) if latest else 1,
            description=clean_description(description),
            images=[i.model_copy(deep=True) for i in dataset.images],
            class_names=list(dataset.class_names),
            created_at=self.world.now(),
        )
        dataset.versions.append(version)
        self.activity.record(
            account, "dataset.versioned", f"Saved version {version.number} of '{dataset.name}'", "dataset", dataset.id
        )
        return version, False

    def version(self, dataset: Dataset, number: int) -> DatasetVersion:
        found = next((v for v in dataset.versions if v.number == number), None)
        if found is None:
            raise NotFound(f"Version {number} not found", {"version": number})
        return found

    def restore_version(self, account: Account, dataset: Dataset, number: int) -> DatasetVersion:
        """Put a saved version's images, labels and classes back (the blobs are shared with it)."""
        version = self.version(dataset, number)
        dataset.images = [i.model_copy(deep=True) for i in version.images]
        dataset.class_names = list(version.class_names)
        dataset.updated_at = self.world.now()
        self.activity.record(
            account, "dataset.restored", f"Restored '{dataset.name}' to version {number}", "dataset", dataset.id
        )
        return version

    def version_download(self, dataset: Dataset, number: int) -> Grant:
        """An hour's access to a saved version's NDJSON."""
        return grant(BlobRef("dataset", dataset.id, f"{dataset.slug}.v{number}.ndjson"), self.world.now())

    # -- export -------------------------------------------------------------
    def export(self, account: Account, dataset_id: str) -> tuple[Dataset, Grant]:
        dataset = self.get(account, dataset_id)
        return dataset, self._sign_export(account, dataset)

    def export_by_slug(self, account: Account, owner: Account | None, slug: str) -> tuple[Dataset, Grant]:
        """The SDK's `ul://owner/datasets/slug`: yours, or someone's public dataset."""
        dataset = self.by_slug(owner, slug) if owner is not None else None
        if dataset is None or (dataset.account_id != account.id and dataset.visibility != "public"):
            raise not_found("dataset", f"{owner.username if owner else '?'}/{slug}")
        return dataset, self._sign_export(account, dataset)

    def by_slug(self, owner: Account, slug: str) -> Dataset | None:
        rows, total = self.world.datasets(owner.id).newest_first(slug=slug)
        return next(rows, None) if total else None

    def _sign_export(self, account: Account, dataset: Dataset) -> Grant:
        download = grant(BlobRef("dataset", dataset.id, f"{dataset.slug}.ndjson"), self.world.now())
        self.activity.record(
            account, "dataset.exported", f"Exported dataset '{dataset.name}' as NDJSON", "dataset", dataset.id
        )
        return download

    def find_any(self, dataset_id: str) -> Dataset | None:
        return self.world.datasets.find(dataset_id)

    @staticmethod
    def image_blob(dataset: Dataset, image: DatasetImage) -> BlobRef:
        return BlobRef("dataset_image", dataset.id, image.file)

    def ndjson_lines(
        self,
        dataset: Dataset,
        dataset_url: str,
        image_url: Callable[[Grant], str],
        version: DatasetVersion | None = None,
    ) -> Iterator[str]:
        """The NDJSON export: of the dataset as it is, or of one saved version. The face
        gives the dataset's URL and turns each image's grant (a week) into its URL."""
        w = self.world
        now = w.now()
        images = version.images if version is not None else dataset.images
        class_names = version.class_names if version is not None else dataset.class_names
        header: dict[str, Any] = {
            "type": "dataset",
            "task": dataset.task,
            "name": dataset.name,
            "description": dataset.description,
            "url": dataset_url,
            "class_names": {str(i): n for i, n in enumerate(class_names)},
            "version": version.number if version is not None else dataset.version,
            "created_at": iso(dataset.created_at),
            "updated_at": iso(dataset.updated_at),
        }
        yield json.dumps(header)
        for image in images:
            url = image_url(grant(self.image_blob(dataset, image), now, EXPORTED_IMAGE_TTL))
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
