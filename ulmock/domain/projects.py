"""Projects group models; deleting one takes its models to the trash with it."""

from __future__ import annotations

from collections.abc import Sequence

from ulmock.domain.activity import Activity
from ulmock.domain.entities import Account, Model, Project, TrashItem
from ulmock.domain.owned import clean_description, clean_name, fetch, free_slug
from ulmock.domain.store import Page
from ulmock.domain.trash import Trash
from ulmock.domain.world import World


class Projects:
    def __init__(self, world: World, activity: Activity, trash: Trash):
        self.world = world
        self.activity = activity
        self.trash = trash

    def list(self, account: Account, page: int, limit: int) -> Page[Project]:
        return self.world.table("project", account.id).page(page, limit)

    def get(self, account: Account, project_id: str) -> Project:
        project: Project = fetch(self.world, "project", account, project_id)
        return project

    def by_slug(self, account: Account, slug: str) -> Project | None:
        rows, total = self.world.table("project", account.id).newest_first(slug=slug)
        return next(rows, None) if total else None

    def create(self, account: Account, name: str, description: str | None = None, *, quiet: bool = False) -> Project:
        w = self.world
        name = clean_name(name)
        table = w.table("project", account.id)
        now = w.now()
        project = Project(
            id=w.ids.new("project"),
            account_id=account.id,
            name=name,
            slug=free_slug(table, name),
            description=clean_description(description),
            created_at=now,
            updated_at=now,
        )
        table.add(project.id, project)
        if not quiet:
            self.activity.record(account, "project.created", f"Created project '{name}'", "project", project.id)
        return project

    def models_of(self, account: Account, project_id: str) -> Sequence[Model]:
        rows, _ = self.world.table("model", account.id).newest_first(project_id=project_id)
        return list(rows)

    def model_count(self, account: Account, project_id: str) -> int:
        return self.world.table("model", account.id).newest_first(project_id=project_id)[1]

    def delete(self, account: Account, project_id: str) -> TrashItem:
        project = self.get(account, project_id)
        return self.trash.put(account, project, children=self.models_of(account, project_id))
