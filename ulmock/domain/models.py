"""Models: uploaded files, or the outcome of training; always inside a project."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ulmock.domain.activity import Activity
from ulmock.domain.catalogue import PLAN_LIMITS
from ulmock.domain.datasets import check_task
from ulmock.domain.entities import Account, Model, ModelFile, TrashItem
from ulmock.domain.errors import Conflict, Forbidden
from ulmock.domain.grants import BlobRef, Grant, grant
from ulmock.domain.modelfiles import inspect_model_file
from ulmock.domain.records import clean_name, create_named, fetch, rename_and_describe, set_fields
from ulmock.domain.store import Page
from ulmock.domain.trash import Trash
from ulmock.domain.world import World


class Models:
    def __init__(self, world: World, activity: Activity, trash: Trash):
        self.world = world
        self.activity = activity
        self.trash = trash

    def list(
        self, account: Account, page: int, limit: int, project_id: str | None = None, task: str | None = None
    ) -> Page[Model]:
        if task is not None:
            check_task(task)
        return self.world.models(account.id).page(page, limit, project_id=project_id, task=task)

    def get(self, account: Account, model_id: str) -> Model:
        return fetch(self.world.models, account, model_id)

    def count(self, account: Account) -> int:
        return len(self.world.models(account.id))

    def create(
        self,
        account: Account,
        project_id: str,
        name: str,
        *,
        task: str = "detect",
        source: str = "upload",
        status: str = "ready",
        class_names: Sequence[str] | None = None,
        quiet: bool = False,
        slug: str | None = None,
    ) -> Model:
        w = self.world
        name = clean_name(name)
        check_task(task)
        fetch(w.projects, account, project_id)  # 404 unless the project is the caller's
        limit = PLAN_LIMITS[account.plan].models
        if self.count(account) >= limit:
            raise Forbidden(
                f"Your {account.plan} plan allows {limit} models",
                {"limit": limit, "plan": account.plan},
            )
        return create_named(
            w,
            self.activity,
            account,
            w.models,
            name,
            slug,
            quiet=quiet,
            scope={"project_id": project_id},
            task=task,
            status=status,
            source=source,
            class_names=list(class_names or []),
        )

    def upload(
        self, account: Account, project_id: str, name: str, filename: str, data: bytes, task: str | None = None
    ) -> Model:
        info = inspect_model_file(filename, data)
        model = self.create(
            account, project_id, name, task=task or info.task or "detect", class_names=info.class_names, quiet=True
        )
        self.attach_file(model, filename, data, info.format)
        self.activity.record(
            account, "model.uploaded", f"Uploaded model '{model.name}' ({filename})", "model", model.id
        )
        return model

    def attach_file(self, model: Model, filename: str, data: bytes, fmt: str) -> ModelFile:
        """Store weights as the model's file, replacing any previous one."""
        w = self.world
        if model.file is not None:
            w.blobs.delete(model.file.blob_id)
        blob = w.blobs.put(data)
        safe_name = filename.replace("/", "_").replace("\\", "_") or f"model.{fmt}"
        model.file = ModelFile(name=safe_name, blob_id=blob.id, size=blob.size, format=fmt)
        model.updated_at = w.now()
        return model.file

    def delete(self, account: Account, model_id: str) -> TrashItem:
        return self.trash.put(account, self.get(account, model_id))

    def files(self, account: Account, model_id: str) -> tuple[Model, Sequence[tuple[ModelFile, Grant]]]:
        w = self.world
        model = self.get(account, model_id)
        if model.file is None:
            return model, []
        return model, [(model.file, grant(BlobRef("model", model.id, model.file.name), w.now()))]

    def find_any(self, model_id: str) -> Model | None:
        return self.world.models.find(model_id)

    def copy(
        self, account: Account, source: Model, project_id: str, name: str | None = None, slug: str | None = None
    ) -> Model:
        """A copy of a model (weights included) in one of `account`'s projects."""
        w = self.world
        model = self.create(
            account,
            project_id,
            name or source.name,
            task=source.task,
            source=source.source,
            status=source.status,
            class_names=source.class_names,
            quiet=True,
            slug=slug,
        )
        model.metrics = dict(source.metrics)
        model.description, model.metadata, model.cloned_from = source.description, dict(source.metadata), source.id
        model.dataset_id = source.dataset_id if source.account_id == account.id else None
        if source.file is not None:
            self.attach_file(model, source.file.name, w.blobs.read(source.file.blob_id), source.file.format)
        self.activity.record(account, "model.created", f"Cloned model '{source.name}'", "model", model.id)
        return model

    def update(self, account: Account, model_id: str, *, name: str | None = None, **fields: Any) -> Model:
        """Change a model: a new `name` renames it and its slug within its project; other fields as given."""
        model = self.get(account, model_id)
        rename_and_describe(self.world.models(account.id), model, name, fields, "model", project_id=model.project_id)
        set_fields(model, fields, self.world.now())
        return model

    def move(self, account: Account, model_id: str, project_id: str) -> Model:
        """Into another of the account's projects (409 when a model there has its slug)."""
        model = self.get(account, model_id)
        w = self.world
        fetch(w.projects, account, project_id)  # 404 unless the project is the caller's
        table = w.models(account.id)
        if project_id != model.project_id:
            if table.newest_first(slug=model.slug, project_id=project_id)[1]:
                raise Conflict(f"A model named '{model.slug}' already exists in that project", {"slug": model.slug})
            old = model.project_id
            model.project_id = project_id
            table.reindex(model.id, "project_id", old)
            model.updated_at = w.now()
        return model
