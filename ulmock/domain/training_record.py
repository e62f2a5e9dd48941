"""What a training run's milestones do to its model, the activity feed and webhooks.

The same for runs the clock moves (`training.py`) and runs the SDK reports (`sdk_runs.py`):
one place says what "started", "an epoch ended" and "finished" mean.
"""

from __future__ import annotations

from ulmock.domain import ledger
from ulmock.domain.activity import Activity
from ulmock.domain.catalogue import MICRO
from ulmock.domain.entities import Account, Model, Training
from ulmock.domain.webhook_events import (
    TrainingCompleted,
    TrainingEpoch,
    TrainingFailed,
    TrainingStarted,
    TrainingState,
)
from ulmock.domain.webhooks import Webhooks
from ulmock.domain.world import World

ACTIVE = ("queued", "starting", "running")


class TrainingRecord:
    def __init__(self, world: World, activity: Activity, webhooks: Webhooks):
        self.world = world
        self.activity = activity
        self.webhooks = webhooks

    def started(self, account: Account, model: Model, training: Training, how: str = "") -> None:
        self.activity.record(account, "training.started", f"Started training '{model.name}'{how}", "model", model.id)
        self.webhooks.emit(account, TrainingStarted(TrainingState.of(training)))

    def epoch(self, account: Account, training: Training, epoch: int, metrics: dict[str, float]) -> None:
        self.webhooks.emit(account, TrainingEpoch(TrainingState.of(training), epoch, metrics))

    def finish(self, account: Account, training: Training, status: str, error: str | None) -> None:
        """The run ends: its reservation is released, its model updated, the outcome announced."""
        w = self.world
        ledger.release(account, training)
        training.status = status  # type: ignore[assignment]
        training.error = error
        training.epoch_started_at = None
        training.finished_at = w.now()
        model = w.models(account.id).get(training.model_id)
        name = model.name if model else training.model_id
        cost = f"${training.cost_so_far / MICRO:.2f}"
        if model is not None:
            self._update_model(account, model, training, status)
        if status == "completed":
            self.activity.record(
                account,
                "training.completed",
                f"Training of '{name}' completed: {training.epochs} epochs, {cost}",
                "model",
                training.model_id,
            )
            self.webhooks.emit(account, TrainingCompleted(TrainingState.of(training), model.metrics if model else {}))
        elif status == "failed":
            self.activity.record(
                account, "training.failed", f"Training of '{name}' failed: {error}", "model", training.model_id
            )
            self.webhooks.emit(account, TrainingFailed(TrainingState.of(training), error))
        else:
            self.activity.record(
                account,
                "training.cancelled",
                f"Cancelled training of '{name}' ({cost} charged)",
                "model",
                training.model_id,
            )

    def _update_model(self, account: Account, model: Model, training: Training, status: str) -> None:
        model.updated_at = self.world.now()
        if status == "completed":
            model.status = "ready"
            model.dataset_id = training.dataset_id
            dataset = self.world.datasets(account.id).get(training.dataset_id)
            if dataset is not None and dataset.class_names:
                model.class_names = list(dataset.class_names)
            last = training.history[-1] if training.history else {}
            model.metrics = {k: float(v) for k, v in last.items() if k.startswith("metrics/")}
        elif status == "failed":
            model.status = "failed"
        else:
            model.status = training.previous_model_status
