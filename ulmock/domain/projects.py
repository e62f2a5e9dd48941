"""Projects group models; deleting one takes its models to the trash with it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ulmock.domain.activity import Activity
from ulmock.domain.entities import Account, Model, Project, TrashItem
from ulmock.domain.models import Models
from ulmock.domain.records import clean_description, clean_name, create_named, fetch, rename_and_describe, set_fields
from ulmock.domain.store import Page
from ulmock.domain.trash import Trash
from ulmock.domain.world import World


class Projects:
    def __init__(self, world: World, activity: Activity, trash: Trash):
        self.world = world
        self.activity = activity
        self.trash = trash

    def list(self, account: Account, page: int, limit: int) -> Page[Project]:
        return self.world.projects(account.id).page(page, limit)

    def get(self, account: Account, project_id: str) -> Project:
        return fetch(self.world.projects, account, project_id)

    def by_slug(self, account: Account, slug: str) -> Project | None:
        rows, total = self.world.projects(account.id).newest_first(slug=slug)
        return next(rows, None) if total else None

    def create(
        self,
        account: Account,
        name: str,
        description: str | None = None,
        *,
        quiet: bool = False,
        slug: str | None = None,
        visibility: str = "private",
        tags: Sequence[str] = (),
        metadata: dict[str, Any] | None = None,
    ) -> Project:
        """A new project; `slug` asks for that exact one (409 when taken), else one is made from the name."""
        w = self.world
        name = clean_name(name)
        return create_named(
            w,
            self.activity,
            account,
            w.projects,
            name,
            slug,
            quiet=quiet,
            description=clean_description(description),
            visibility=visibility,
            tags=list(tags),
            metadata=dict(metadata or {}),
        )

    def models_of(self, account: Account, project_id: str) -> Sequence[Model]:
        rows, _ = self.world.models(account.id).newest_first(project_id=project_id)
        return list(rows)

    def model_count(self, account: Account, project_id: str) -> int:
        return self.world.models(account.id).newest_first(project_id=project_id)[1]

    def delete(self, account: Account, project_id: str) -> TrashItem:
        project = self.get(account, project_id)
        return self.trash.put(account, project, children=self.models_of(account, project_id))

    def update(self, account: Account, project_id: str, *, name: str | None = None, **fields: Any) -> Project:
        """Change a project: a new `name` renames it and its slug; other fields are set as given."""
        project = self.get(account, project_id)
        rename_and_describe(self.world.projects(account.id), project, name, fields, "project")
        set_fields(project, fields, self.world.now())
        return project

    def clone(
        self,
        account: Account,
        source: Project,
        name: str | None,
        slug: str | None,
        models: Models,
        description: str | None = None,
        visibility: str | None = None,
    ) -> tuple[Project, Sequence[Model]]:
        """A copy of `source` (the caller's own, or a public one) with its completed models and their weights."""
        source_account = self.world.accounts[source.account_id]
        copy = self.create(
            account,
            name or source.name,
            source.description if description is None else description,
            slug=slug,
            visibility=visibility or "private",
            tags=source.tags,
            metadata=source.metadata,
            quiet=True,
        )
        copy.cloned_from = source.id
        copied: Sequence[Model] = [
            models.copy(account, m, copy.id)
            for m in reversed(self.models_of(source_account, source.id))
            if m.status == "ready"
        ]
        self.activity.record(account, "project.created", f"Cloned project '{source.name}'", "project", copy.id)
        return copy, copied
