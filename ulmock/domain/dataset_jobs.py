"""What the jobs on a dataset's images share (an analysis, an auto-annotation batch): a run the
clock moves. It is queued for a while, then running, and each clock event after that is a
step, until the job says it has finished; cancelling marks it cancelled, and a step that
comes for a run no longer in flight (or gone) does nothing."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Generic, Literal, Protocol, TypeVar

from ulmock.domain.entities import Account, Dataset
from ulmock.domain.store import Kind
from ulmock.domain.world import World

ACTIVE = ("queued", "running")


class DatasetJob(Protocol):
    id: str
    account_id: str
    status: Literal["queued", "running", "completed", "failed", "cancelled"]
    created_at: float
    started_at: float | None
    finished_at: float | None


J = TypeVar("J", bound=DatasetJob)


class DatasetJobs(ABC, Generic[J]):
    """The runs of one kind of job: `start` queues one through `queue`; a subclass says what
    happens when it begins running (`began`) and at each step after that (`step`)."""

    def __init__(self, world: World, kind: Kind[J], event: str, id_key: str, queue_seconds: float):
        self.world = world
        self.kind = kind
        self.event = event
        self.id_key = id_key  # the scheduled event's name for the run's id
        self.queue_seconds = queue_seconds
        world.clock.on(event, self._on_clock)

    def runs(self, account: Account, dataset: Dataset) -> list[J]:
        """The account's runs on `dataset`, newest first."""
        rows, _ = self.kind(account.id).newest_first(dataset_id=dataset.id)
        return list(rows)

    def active(self, account: Account, dataset: Dataset) -> J | None:
        """The newest run still queued or running, if any."""
        return next((r for r in self.runs(account, dataset) if r.status in ACTIVE), None)

    def last_outcome(self, account: Account, dataset: Dataset) -> J | None:
        """The newest finished run whose outcome the dataset still shows, if any."""
        return next((r for r in self.runs(account, dataset) if self.shows_outcome(r)), None)

    def status(self, account: Account, dataset: Dataset) -> tuple[J | None, J | None]:
        """What a dataset's panel for the job shows: the run under way and the last outcome."""
        runs = self.runs(account, dataset)
        active = next((r for r in runs if r.status in ACTIVE), None)
        return active, next((r for r in runs if self.shows_outcome(r)), None)

    def queue(self, account: Account, dataset: Dataset, **fields: Any) -> J:
        """A new run on `dataset`, its first step due when its time in the queue is up."""
        run = self.world.create(self.kind, account.id, dataset_id=dataset.id, **fields)
        self.schedule(run, run.created_at + self.queue_seconds)
        return run

    def schedule(self, run: J, at: float) -> None:
        self.world.clock.schedule(at, self.event, {"accountId": run.account_id, self.id_key: run.id})

    def cancel_run(self, run: J) -> None:
        run.status, run.finished_at = "cancelled", self.world.now()

    @abstractmethod
    def shows_outcome(self, run: J) -> bool:
        """Whether a run is finished and the dataset still shows what came of it."""

    @abstractmethod
    def began(self, run: J, now: float) -> None:
        """The run has just left the queue: it is running from `now`."""

    @abstractmethod
    def step(self, run: J, now: float) -> None:
        """A later clock event for the running run."""

    def _on_clock(self, payload: dict[str, Any]) -> None:
        run = self.kind(payload["accountId"]).get(payload[self.id_key])
        if run is None or run.status not in ACTIVE:
            return  # gone, or cancelled meanwhile
        now = self.world.now()
        if run.status == "queued":
            run.status, run.started_at = "running", now
            self.began(run, now)
        else:
            self.step(run, now)
