"""Names in a valid scenario that must point at something: usernames, API keys, projects,
models, datasets and fixture files. Checked after the format, before anything is built."""

from __future__ import annotations

from typing import Any

from ulmock.confine import OutsideFixtures, dataset_fixture, fixture_file, scenario_folder
from ulmock.scenarios.format import AccountSpec, Scenario
from ulmock.scenarios.source import LineMap, ScenarioError, key_path

__all__ = ["check_references"]


def check_references(s: Scenario, file: str, lines: LineMap) -> None:
    """The first name that points at nothing, as a `ScenarioError` at its line."""
    check = _References(file, lines)
    for i, account in enumerate(s.accounts):
        check.account(i, account)
    check.behaviours(s)


class _References:
    """What the accounts declared so far, and the checks against it."""

    def __init__(self, file: str, lines: LineMap) -> None:
        self.file, self.lines = file, lines
        self.usernames: set[str] = set()
        self.models: set[tuple[str, str]] = set()  # (username, "project/model")
        self.keys: set[str] = set()

    def fail(self, loc: tuple[Any, ...], message: str) -> ScenarioError:
        return ScenarioError(self.file, self.lines.line(loc), key_path(loc), message)

    def account(self, i: int, a: AccountSpec) -> None:
        fail = self.fail
        if a.username in self.usernames:
            raise fail(("accounts", i, "username"), f"username '{a.username}' appears twice")
        self.usernames.add(a.username)
        if a.rateLimits is not None and a.plan != "enterprise":
            raise fail(("accounts", i, "rateLimits"), "custom rate limits are for enterprise accounts")
        if a.webhooks and a.plan != "enterprise":
            raise fail(("accounts", i, "webhooks"), "webhooks are an enterprise feature")
        for k, key in enumerate(a.apiKeys):
            if key.key in self.keys:
                raise fail(("accounts", i, "apiKeys", k, "key"), "this API key is used twice")
            self.keys.add(key.key)
        project_names = [p.name for p in a.projects]
        for j, p in enumerate(a.projects):
            if project_names.count(p.name) > 1:
                raise fail(("accounts", i, "projects", j, "name"), f"project '{p.name}' appears twice")
            for m, model in enumerate(p.models):
                self.models.add((a.username, f"{p.name}/{model.name}"))
                if model.file:
                    self.model_file(("accounts", i, "projects", j, "models", m, "file"), model.file)
        dataset_names = {d.name for d in a.datasets}
        for j, d in enumerate(a.datasets):
            if d.fixture:
                self.dataset_fixture(("accounts", i, "datasets", j, "fixture"), d.fixture)
        for j, t in enumerate(a.trainings):
            if (a.username, t.model) not in self.models:
                raise fail(("accounts", i, "trainings", j, "model"), f"no model '{t.model}' (write 'project/model')")
            if t.dataset not in dataset_names:
                raise fail(("accounts", i, "trainings", j, "dataset"), f"no dataset '{t.dataset}' in this account")
        for j, deployment in enumerate(a.deployments):
            if (a.username, deployment.model) not in self.models:
                raise fail(
                    ("accounts", i, "deployments", j, "model"), f"no model '{deployment.model}' (write 'project/model')"
                )

    def model_file(self, loc: tuple[Any, ...], name: str) -> None:
        try:
            found = fixture_file(name, scenario_folder(self.file)).is_file()
        except OutsideFixtures as exc:
            raise self.fail(loc, f"{exc}: files come from fixtures/ or the scenario's own folder") from None
        if not found:
            raise self.fail(loc, f"no file {name} in fixtures/ or beside the scenario")

    def dataset_fixture(self, loc: tuple[Any, ...], name: str) -> None:
        try:
            found = (dataset_fixture(name, scenario_folder(self.file)) / "data.yaml").is_file()
        except OutsideFixtures as exc:
            raise self.fail(loc, f"{exc}: datasets come from fixtures/datasets/ or the scenario's folder") from None
        if not found:
            raise self.fail(loc, f"no fixture dataset fixtures/datasets/{name}")

    def behaviours(self, s: Scenario) -> None:
        b = s.behaviours
        for kind, rules in (
            ("trainings", b.trainings),
            ("exports", b.exports),
            ("deployments", b.deployments),
            ("routes", b.routes),
        ):
            for j, rule in enumerate(rules):
                account = getattr(rule, "account", None)
                if account is not None and account not in self.usernames:
                    raise self.fail(("behaviours", kind, j, "account"), f"no account '{account}'")
        for j, failure in enumerate(b.trainings):
            if (failure.account, failure.model) not in self.models:
                raise self.fail(
                    ("behaviours", "trainings", j, "model"),
                    f"no model '{failure.model}' in account '{failure.account}'",
                )
