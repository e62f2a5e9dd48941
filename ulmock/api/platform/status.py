"""A model's status as the live contract names it, from the domain's model and its last run.

The domain says `ready | training | failed | pending`; the contract distinguishes a
model never trained (`untrained`) from a finished one (`completed`), and names the
phases of a run (`starting`, `running`) and a cancelled one. A model's views also tell
the run's epochs and times, the same way in each (`tell_start`, `tell_times`).
"""

from __future__ import annotations

from typing import Literal, NotRequired

from typing_extensions import TypedDict

from ulmock.domain.clock import iso
from ulmock.domain.entities import Model, Training
from ulmock.domain.world import World

LiveStatus = Literal["pending", "untrained", "starting", "running", "completed", "failed", "cancelled"]


def last_training(world: World, model: Model) -> Training | None:
    rows, total = world.trainings(model.account_id).newest_first(model_id=model.id)
    return next(rows, None) if total else None


def model_status(model: Model, run: Training | None) -> LiveStatus:
    if model.status == "training" and run is not None:
        return "running" if run.status == "running" else "starting"
    if model.status == "failed":
        return "failed"
    if model.status == "pending":
        return "pending"
    if run is not None and run.status == "cancelled" and model.file is None:
        return "cancelled"
    if model.file is not None or (run is not None and run.status == "completed"):
        return "completed"
    return "untrained"


class RunStart(TypedDict):
    # the fields of a model's view that tell its run (no docstring: never a schema of its own)
    epochs: NotRequired[int]
    startedAt: NotRequired[str]


class RunTimes(RunStart):
    completedAt: NotRequired[str]


def tell_start(view: RunStart, run: Training) -> None:
    """Put the run's epochs and, once it began, its start on a model's view."""
    view["epochs"] = run.epochs
    if run.started_at is not None:
        view["startedAt"] = iso(run.started_at)


def tell_times(view: RunTimes, run: Training) -> None:
    """`tell_start`, and the end of a run that completed."""
    tell_start(view, run)
    if run.status == "completed" and run.finished_at is not None:
        view["completedAt"] = iso(run.finished_at)
