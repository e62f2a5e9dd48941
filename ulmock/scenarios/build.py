"""Turning a validated scenario into a world: accounts, data, work under way, behaviours."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ulmock.confine import OutsideFixtures, dataset_fixture, fixture_file, scenario_folder
from ulmock.domain.backend import Platform
from ulmock.domain.catalogue import usd_to_micro
from ulmock.domain.connections import RoboflowProject, RoboflowVersion
from ulmock.domain.entities import Account, Dataset, DatasetImage, Model, RateLimits
from ulmock.domain.errors import ApiError
from ulmock.domain.modelfiles import inspect_model_file
from ulmock.domain.scripts import (
    ExportFailure,
    Scripts,
    StuckDeployment,
    TrainingFailure,
)
from ulmock.scenarios.fixtures import add_fixture_dataset, read_fixture_dataset
from ulmock.scenarios.format import AccountSpec, GeneratedImages, Scenario
from ulmock.scenarios.source import LineMap, ScenarioError, key_path
from ulmock.scenarios.synthetic import generate


def fixed_key(username: str) -> str:
    """The key of an account whose scenario names none: stable across runs and machines."""
    return "ul_" + hashlib.sha1(f"ulmock:{username}".encode()).hexdigest()


class ScenarioWorld:
    """A world builder (`Emulator(build=...)`) for one scenario."""

    def __init__(self, scenario: Scenario, name: str, file: str, lines: LineMap | None = None):
        self.scenario = scenario
        self.name = name
        self.file = file
        self.lines = lines or LineMap(None)

    def __call__(self, p: Platform) -> None:
        accounts: dict[str, Account] = {}
        models: dict[tuple[str, str], Model] = {}
        for spec in self.scenario.accounts:
            accounts[spec.username] = self._account(p, spec)
            models.update(self._projects(p, accounts[spec.username], spec))
        for spec in self.scenario.accounts:
            self._datasets(p, accounts[spec.username], spec)
        for i, spec in enumerate(self.scenario.accounts):
            self._buckets(p, accounts[spec.username], spec, i)
        self._behaviours(p, accounts, models)
        self._roboflow(p)
        for i, spec in enumerate(self.scenario.accounts):
            self._work_under_way(p, accounts[spec.username], spec, models, i)

    # -- pieces ---------------------------------------------------------------
    def _account(self, p: Platform, spec: AccountSpec) -> Account:
        limits = (
            RateLimits(per_minute=spec.rateLimits.perMinute, per_day=spec.rateLimits.perDay)
            if spec.rateLimits
            else None
        )
        first = spec.apiKeys[0] if spec.apiKeys else None
        account, key = p.accounts.create(
            spec.username,
            spec.plan,
            email=spec.email,
            cash_balance=usd_to_micro(spec.balance),
            credit_balance=usd_to_micro(spec.credit),
            rate_limits=limits,
            api_key=first.key if first else fixed_key(spec.username),
            key_name=first.name if first else "default",
        )
        key.scopes = list(first.scopes) if first and first.scopes else None
        for extra in spec.apiKeys[1:]:
            p.accounts.add_key(account, extra.name, list(extra.scopes) if extra.scopes else None, extra.key)
        if spec.usedToday:
            p.rate_limits.preload(account.id, spec.usedToday)
        return account

    def _projects(self, p: Platform, account: Account, spec: AccountSpec) -> dict[tuple[str, str], Model]:
        out: dict[tuple[str, str], Model] = {}
        for project_spec in spec.projects:
            project = p.projects.create(account, project_spec.name, project_spec.description, quiet=True)
            for m in project_spec.models:
                model = p.models.create(
                    account,
                    project.id,
                    m.name,
                    task=m.task,
                    status=m.status,
                    source="scenario",
                    class_names=m.classNames,
                    quiet=True,
                )
                model.metrics = dict(m.metrics)
                if m.file:
                    path = fixture_file(m.file, scenario_folder(self.file))
                    data = path.read_bytes()
                    info = inspect_model_file(path.name, data)
                    p.models.attach_file(model, path.name, data, info.format)
                    if not model.class_names:
                        model.class_names = info.class_names
                out[(account.username, f"{project_spec.name}/{m.name}")] = model
        return out

    def _datasets(self, p: Platform, account: Account, spec: AccountSpec) -> None:
        for d in spec.datasets:
            if d.fixture:
                root = dataset_fixture(d.fixture, scenario_folder(self.file))
                add_fixture_dataset(
                    p, account, root, d.name, task=d.task, description=d.description, visibility=d.visibility
                )
            else:
                classes = d.generate.classes if d.generate else d.classNames
                dataset = p.datasets.create(
                    account, d.name, d.task, d.description, class_names=classes, visibility=d.visibility, quiet=True
                )
                if d.generate:
                    self._generated(p, dataset, d.generate)

    def _buckets(self, p: Platform, account: Account, spec: AccountSpec, index: int) -> None:
        for i, b in enumerate(spec.buckets):
            try:
                folder = fixture_file(b.folder, scenario_folder(self.file))
            except OutsideFixtures as exc:
                raise self._dangling(
                    ("accounts", index, "buckets", i, "folder"),
                    f"{exc}: bucket folders come from fixtures/ or the scenario's folder",
                ) from None
            with self._refusals_at(("accounts", index, "buckets", i)):
                p.cloud.add_bucket(account, b.provider, b.name, folder)

    def _roboflow(self, p: Platform) -> None:
        for i, ws in enumerate(self.scenario.roboflow):
            projects = []
            for j, pr in enumerate(ws.projects):
                versions = []
                for k, v in enumerate(pr.versions):
                    where = ("roboflow", i, "projects", j, "versions", k, "fixture")
                    try:
                        root = dataset_fixture(v.fixture, scenario_folder(self.file))
                    except OutsideFixtures as exc:
                        raise self._dangling(
                            where, f"{exc}: datasets come from fixtures/datasets/ or the scenario's folder"
                        ) from None
                    if not (root / "data.yaml").is_file():
                        raise self._dangling(
                            where, f"no fixture dataset '{v.fixture}' (fixtures/datasets/<name>/data.yaml)"
                        )
                    fixture = read_fixture_dataset(root)
                    versions.append(
                        RoboflowVersion(
                            number=v.version,
                            name=v.name,
                            folder=str(root),
                            image_count=len(fixture.images),
                            size_bytes=sum(im.path.stat().st_size for im in fixture.images),
                        )
                    )
                projects.append(RoboflowProject(id=pr.id, name=pr.name, type=pr.type, versions=versions))
            p.roboflow.add_workspace(ws.apiKey, ws.workspace, ws.name, projects)

    def _generated(self, p: Platform, dataset: Dataset, g: GeneratedImages) -> None:
        """The images `g` asks for, drawn and labelled, in `dataset`."""
        for image in generate(g.images, tuple(g.classes), g.size, g.seed, g.valFraction):
            blob = p.world.blobs.put(image.data, "image/jpeg")
            dataset.images.append(
                DatasetImage(
                    file=image.file,
                    blob_id=blob.id,
                    width=image.width,
                    height=image.height,
                    split=image.split,
                    annotations={"boxes": [list(b) for b in image.boxes]},
                )
            )

    def _behaviours(self, p: Platform, accounts: dict[str, Account], models: dict[tuple[str, str], Model]) -> None:
        b = self.scenario.behaviours
        scripts = Scripts()
        for i, t in enumerate(b.trainings):
            model = models.get((t.account, t.model))
            if model is None:
                raise self._dangling(
                    ("behaviours", "trainings", i, "model"), f"no model '{t.model}' in account '{t.account}'"
                )
            scripts.trainings.append(TrainingFailure(model_id=model.id, at_epoch=t.failAtEpoch, error=t.error))
        for i, e in enumerate(b.exports):
            account_id = self._account_id(accounts, e.account, ("behaviours", "exports", i, "account"))
            scripts.exports.append(ExportFailure(format=e.format, error=e.error, account_id=account_id))
        for i, s in enumerate(b.deployments):
            account_id = self._account_id(accounts, s.account, ("behaviours", "deployments", i, "account"))
            scripts.deployments.append(StuckDeployment(region=s.region, account_id=account_id, error=s.error))
        p.world.scripts = scripts

    def _work_under_way(
        self, p: Platform, account: Account, spec: AccountSpec, models: dict[tuple[str, str], Model], index: int
    ) -> None:
        for hook in spec.webhooks:
            p.webhooks.register(account, hook.url, hook.events, hook.secret)
        for i, t in enumerate(spec.trainings):
            model = self._model(models, account, t.model, ("accounts", index, "trainings", i, "model"))
            rows, _ = p.world.datasets(account.id).newest_first()
            dataset = next((d for d in rows if d.name == t.dataset), None)
            if dataset is None:
                raise self._dangling(("accounts", index, "trainings", i, "dataset"), f"no dataset named '{t.dataset}'")
            with self._refusals_at(("accounts", index, "trainings", i)):
                p.trainings.start(account, model.id, dataset.id, t.epochs, t.imageSize, t.gpuType)
        for i, d in enumerate(spec.deployments):
            model = self._model(models, account, d.model, ("accounts", index, "deployments", i, "model"))
            with self._refusals_at(("accounts", index, "deployments", i)):
                p.deployments.create(account, model.id, d.region, d.minInstances, d.maxInstances)

    # -- errors -----------------------------------------------------------------
    def _model(self, models: dict[tuple[str, str], Model], account: Account, ref: str, loc: tuple[Any, ...]) -> Model:
        model = models.get((account.username, ref))
        if model is None:
            raise self._dangling(loc, f"no model '{ref}' (write it as 'project name/model name')")
        return model

    def _account_id(self, accounts: dict[str, Account], username: str | None, loc: tuple[Any, ...]) -> str | None:
        if username is None:
            return None
        if username not in accounts:
            raise self._dangling(loc, f"no account '{username}'")
        return accounts[username].id

    @contextmanager
    def _refusals_at(self, loc: tuple[Any, ...]) -> Iterator[None]:
        """What the Platform refuses (a plan limit, the balance) is an error at `loc`."""
        try:
            yield
        except ApiError as err:
            raise self._dangling(loc, err.message) from None

    def _dangling(self, loc: tuple[Any, ...], message: str) -> ScenarioError:
        return ScenarioError(self.file, self.lines.line(loc), key_path(loc), message)
