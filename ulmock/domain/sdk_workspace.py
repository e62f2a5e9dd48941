"""Where an SDK run lives: the project, model and dataset its reports name.

The SDK names a run by `project` ("user/project-slug") and `name` on its first report,
then by the `modelId` the answer gave it; `ul://owner/project/model` names a model to
download, `ul://user/datasets/slug` a dataset to train on.
"""

from __future__ import annotations

from typing import Any

from ulmock.domain.accounts import Accounts
from ulmock.domain.datasets import Datasets
from ulmock.domain.entities import Account, Dataset, Model, Project, Training
from ulmock.domain.errors import Forbidden, NotFound, ValidationError, not_found
from ulmock.domain.ids import slugify
from ulmock.domain.models import Models
from ulmock.domain.projects import Projects
from ulmock.domain.records import NAME_MAX
from ulmock.domain.world import World


class SdkWorkspace:
    def __init__(self, world: World, accounts: Accounts, projects: Projects, datasets: Datasets, models: Models):
        self.world = world
        self.accounts = accounts
        self.projects = projects
        self.datasets = datasets
        self.models = models

    def project_slug(self, account: Account, project: str) -> str:
        """`user/slug` or `slug`: another account's workspace needs team access ulmock has no teams for."""
        owner, _, slug = project.rpartition("/")
        if owner and owner != account.username and self.accounts.by_username(owner) is not None:
            raise Forbidden("You have no editor access to this workspace", {"project": project})
        return run_slug(slug)

    def find_model(self, account: Account, model_id: str | None, project: str | None, name: str | None) -> Model:
        if model_id:
            return self.models.get(account, model_id)
        if not project:
            raise ValidationError("modelId or project is required", {"modelId": "required without project"})
        found = self.projects.by_slug(account, self.project_slug(account, project))
        model = self._model_in(account, found, run_slug(name or "train")) if found else None
        if model is None:
            raise NotFound("Model not found", {"project": project, "name": name or "train"})
        return model

    def new_model(self, account: Account, project: str, name: str | None, task: str) -> Model:
        """The model a first run trains, in its project."""
        slug = self.project_slug(account, project)
        found = self.projects.by_slug(account, slug)
        # The Platform creates the project on a first run into a new one, as `yolo train project=...` expects.
        target = found or self.projects.create(account, slug)
        model_slug = run_slug(name or "train")
        return self.models.create(account, target.id, model_slug, task=task, source="sdk", status="training")

    def by_path(self, account: Account, owner: str, project_slug: str, model_slug: str) -> Model:
        """`ul://owner/project/model`: models are private, so only the caller's own."""
        project = self.projects.by_slug(account, project_slug) if owner == account.username else None
        model = self._model_in(account, project, model_slug) if project else None
        if model is None:
            raise not_found("model", f"{owner}/{project_slug}/{model_slug}")
        return model

    def _model_in(self, account: Account, project: Project, slug: str) -> Model | None:
        rows, total = self.world.models(account.id).newest_first(project_id=project.id, slug=slug)
        return next(rows, None) if total else None

    def latest_run(self, account: Account, model: Model) -> Training | None:
        rows, _ = self.world.trainings(account.id).newest_first(model_id=model.id)
        return next((t for t in rows if t.source == "sdk"), None)

    def dataset(self, account: Account, uri: Any) -> Dataset | None:
        """The caller's dataset when the run trains on `ul://user/datasets/slug`."""
        parts = str(uri or "").removeprefix("ul://").split("/")
        if not str(uri).startswith("ul://") or len(parts) != 3 or parts[1] != "datasets":
            return None
        owner = self.accounts.by_username(parts[0])
        return self.datasets.by_slug(owner, parts[2]) if owner is not None and owner.id == account.id else None


def run_slug(text: str) -> str:
    """A slug that fits a name (the SDK allows 128 characters, names stop at 100)."""
    return slugify(text)[:NAME_MAX].strip("-") or "untitled"
