"""What the jobs on a dataset's images share (an analysis, an auto-annotation batch): their
runs newest first, which of them is still in flight, and the run a clock step is for."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from ulmock.domain.entities import Account, Dataset
from ulmock.domain.store import Kind

ACTIVE = ("queued", "running")


class DatasetJob(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def status(self) -> str: ...


J = TypeVar("J", bound=DatasetJob)


def runs_of(kind: Kind[J], account: Account, dataset: Dataset) -> list[J]:
    """The account's runs of `kind` on `dataset`, newest first."""
    rows, _ = kind(account.id).newest_first(dataset_id=dataset.id)
    return list(rows)


def in_flight(runs: Iterable[J]) -> J | None:
    """The newest run still queued or running, if any."""
    return next((r for r in runs if r.status in ACTIVE), None)


def stepping(kind: Kind[J], account_id: str, run_id: str) -> J | None:
    """The run a clock step is for, or None when it is gone or no longer in flight (cancelled)."""
    run = kind(account_id).get(run_id)
    return run if run is not None and run.status in ACTIVE else None
