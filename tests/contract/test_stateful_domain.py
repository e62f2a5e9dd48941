"""The domain against a reference model, driven by Hypothesis (no HTTP).

Two accounts create, delete, restore and list datasets, projects, models and API keys,
spend their rate limits and let a manual clock run, past the 30-day trash purge
included. After every step each account's lists, pages, trash and key list must equal
what a plain model of the rules predicts, and nothing may leak between accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ulmock.domain.backend import Platform
from ulmock.domain.clock import Clock
from ulmock.domain.entities import Account, RateLimits
from ulmock.domain.errors import NotFound, RateLimited, ValidationError
from ulmock.domain.ratelimit import DAY, MINUTE
from ulmock.domain.trash import RETENTION_SECONDS

START = 1_768_467_600.0  # 2026-01-15T09:00:00Z
PER_MINUTE, PER_DAY = 4, 9
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=12).filter(
    lambda s: s.strip() != ""
)
# Steps of the clock: within a minute, across minutes and days, and past the purge.
steps = st.sampled_from([1.0, 30.0, MINUTE, 3_600.0, DAY, 10 * DAY, RETENTION_SECONDS, RETENTION_SECONDS + 1])


@dataclass
class TrashRef:
    id: str
    type: str
    deleted_at: float
    children: list[str] = field(default_factory=list)  # model ids, for a project


@dataclass
class AccountRef:
    """What one account should hold; every list is in creation (insertion) order."""

    account: Account
    datasets: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    models: dict[str, str] = field(default_factory=dict)  # model id -> project id, insertion order
    trash: list[TrashRef] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    minute: tuple[int, int] = (-1, 0)  # (window start, count)
    day: tuple[int, int] = (-1, 0)

    def live(self, kind: str) -> list[str]:
        return {"dataset": self.datasets, "project": self.projects, "model": list(self.models)}[kind]


class DomainMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.clock = Clock(start=START, mode="manual")
        self.p = Platform(self.clock, seed=0)
        self.refs: list[AccountRef] = []
        for username in ("alice", "bob"):
            account, key = self.p.accounts.create(
                username, "pro", rate_limits=RateLimits(per_minute=PER_MINUTE, per_day=PER_DAY)
            )
            self.refs.append(AccountRef(account, keys=[key.id]))

    # -- helpers ------------------------------------------------------------
    def ref(self, data: st.DataObject) -> AccountRef:
        return data.draw(st.sampled_from(self.refs), label="account")

    def purge_due(self) -> None:
        now = self.clock.now()
        for ref in self.refs:
            ref.trash = [t for t in ref.trash if t.deleted_at + RETENTION_SECONDS > now]

    # -- creating -------------------------------------------------------------
    @rule(data=st.data(), name=names, task=st.sampled_from(["detect", "segment", "classify", "pose", "obb"]))
    def create_dataset(self, data: st.DataObject, name: str, task: str) -> None:
        ref = self.ref(data)
        ref.datasets.append(self.p.datasets.create(ref.account, name, task).id)

    @rule(data=st.data(), name=names)
    def create_project(self, data: st.DataObject, name: str) -> None:
        ref = self.ref(data)
        ref.projects.append(self.p.projects.create(ref.account, name).id)

    @rule(data=st.data(), name=names)
    def create_model(self, data: st.DataObject, name: str) -> None:
        ref = self.ref(data)
        if not ref.projects:
            with pytest.raises(NotFound):
                self.p.models.create(ref.account, "project_missing", name)
            return
        project_id = data.draw(st.sampled_from(ref.projects), label="project")
        ref.models[self.p.models.create(ref.account, project_id, name).id] = project_id

    @rule(data=st.data(), name=names)
    def create_key(self, data: st.DataObject, name: str) -> None:
        ref = self.ref(data)
        ref.keys.append(self.p.accounts.create_key(ref.account, name, None).id)

    # -- deleting, restoring ------------------------------------------------------
    @rule(data=st.data(), kind=st.sampled_from(["dataset", "project", "model"]))
    def delete(self, data: st.DataObject, kind: str) -> None:
        ref = self.ref(data)
        live = ref.live(kind)
        if not live:
            return
        ident = data.draw(st.sampled_from(live), label=kind)
        other = next(r for r in self.refs if r is not ref)
        with pytest.raises(NotFound):  # someone else's id is no id at all
            getattr(self.p, kind + "s").delete(other.account, ident)
        item = getattr(self.p, kind + "s").delete(ref.account, ident)
        assert (item.id, item.type) == (ident, kind)
        children: list[str] = []
        if kind == "dataset":
            ref.datasets.remove(ident)
        elif kind == "model":
            del ref.models[ident]
        else:
            ref.projects.remove(ident)
            children = [m for m in reversed(ref.models) if ref.models[m] == ident]  # newest first
            for m in children:
                del ref.models[m]
        ref.trash.append(TrashRef(ident, kind, self.clock.now(), children))

    @rule(data=st.data())
    def restore(self, data: st.DataObject) -> None:
        ref = self.ref(data)
        if not ref.trash:
            with pytest.raises(NotFound):
                self.p.trash.restore(ref.account, "dataset_missing", "dataset")
            return
        item = data.draw(st.sampled_from(ref.trash), label="trash item")
        if item.type == "model":
            owner = self._model_project(ref, item.id)
            if owner not in ref.projects:
                with pytest.raises(ValidationError):
                    self.p.trash.restore(ref.account, item.id, "model")
                return
            project = owner
            self.p.trash.restore(ref.account, item.id, "model")
            ref.models[item.id] = project
        else:
            self.p.trash.restore(ref.account, item.id, item.type)
            ref.live(item.type).append(item.id)
            for m in item.children:
                ref.models[m] = item.id
        ref.trash.remove(item)

    def _model_project(self, ref: AccountRef, model_id: str) -> str:
        trashed = self.p.world.trash(ref.account.id).get(model_id)
        return str(trashed.entity.project_id)

    @rule(data=st.data())
    def empty_trash(self, data: st.DataObject) -> None:
        ref = self.ref(data)
        assert self.p.trash.empty(ref.account) == len(ref.trash)
        ref.trash.clear()

    @rule(data=st.data())
    def revoke_key(self, data: st.DataObject) -> None:
        ref = self.ref(data)
        if not ref.keys:
            return
        key_id = data.draw(st.sampled_from(ref.keys), label="key")
        other = next(r for r in self.refs if r is not ref)
        with pytest.raises(NotFound):
            self.p.accounts.revoke_key(other.account, key_id)
        self.p.accounts.revoke_key(ref.account, key_id)
        ref.keys.remove(key_id)

    # -- time and quotas ------------------------------------------------------------
    @rule(seconds=steps)
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.purge_due()

    @rule(data=st.data())
    def hit_rate_limit(self, data: st.DataObject) -> None:
        ref = self.ref(data)
        now = self.clock.now()
        minute_start, day_start = int(now // MINUTE) * MINUTE, int(now // DAY) * DAY
        minute = ref.minute[1] if ref.minute[0] == minute_start else 0
        day = ref.day[1] if ref.day[0] == day_start else 0
        if day >= PER_DAY or minute >= PER_MINUTE:
            with pytest.raises(RateLimited) as refused:
                self.p.rate_limits.hit(ref.account.id, PER_MINUTE, PER_DAY)
            assert refused.value.quota.remaining == 0  # type: ignore[attr-defined]
            return
        status = self.p.rate_limits.hit(ref.account.id, PER_MINUTE, PER_DAY)
        ref.minute, ref.day = (minute_start, minute + 1), (day_start, day + 1)
        assert status.remaining == min(PER_MINUTE - minute - 1, PER_DAY - day - 1)
        assert status.reset == minute_start + MINUTE
        assert self.p.rate_limits.usage(ref.account.id) == (minute + 1, day + 1)

    # -- what must hold after every step ------------------------------------------------
    @invariant()
    def lists_match_the_model(self) -> None:
        if not getattr(self, "refs", None):
            return
        for ref in self.refs:
            a = ref.account
            self._pages(lambda page, limit, a=a: self.p.datasets.list(a, page, limit), ref.datasets[::-1])
            self._pages(lambda page, limit, a=a: self.p.projects.list(a, page, limit), ref.projects[::-1])
            self._pages(lambda page, limit, a=a: self.p.models.list(a, page, limit), list(ref.models)[::-1])
            self._pages(lambda page, limit, a=a: self.p.accounts.list_keys(a, page, limit), ref.keys[::-1])
            self._pages(lambda page, limit, a=a: self.p.trash.list(a, page, limit), [t.id for t in ref.trash][::-1])
            for project_id in ref.projects:
                expected = [m for m in reversed(ref.models) if ref.models[m] == project_id]
                page = self.p.models.list(a, 1, 100, project_id=project_id)
                assert [m.id for m in page.items] == expected
                assert self.p.projects.model_count(a, project_id) == len(expected)
            assert self.p.models.count(a) == len(ref.models)
            for item in self.p.trash.list(a, 1, 100).items:
                assert item.expires_at == item.deleted_at + RETENTION_SECONDS > self.clock.now()

    @invariant()
    def accounts_are_isolated(self) -> None:
        if not getattr(self, "refs", None):
            return
        alice, bob = self.refs
        for mine, theirs in ((alice, bob), (bob, alice)):
            for ident in mine.datasets[-3:]:
                with pytest.raises(NotFound):
                    self.p.datasets.get(theirs.account, ident)
            for ident in mine.projects[-3:]:
                with pytest.raises(NotFound):
                    self.p.projects.get(theirs.account, ident)
            for ident in list(mine.models)[-3:]:
                with pytest.raises(NotFound):
                    self.p.models.get(theirs.account, ident)

    @staticmethod
    def _pages(fetch, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
        """Walk every page of size 3 (and one past the end): ids, order, totals."""
        seen: list[str] = []
        pages = len(expected) // 3 + 2
        for number in range(1, pages + 1):
            page = fetch(number, 3)
            assert page.total == len(expected)
            assert (page.page, page.limit) == (number, 3)
            seen.extend(row.id for row in page.items)
        assert seen == expected


DomainMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestDomain = DomainMachine.TestCase
