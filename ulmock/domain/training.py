"""Training runs that move on the clock: queued -> starting -> running -> completed.

Each run reserves its estimated cost when it starts, is charged real GPU time epoch by
epoch, and releases what is left when it ends (`ledger.py`). Epoch lengths and prices
come from `gpu_pricing.py`, metrics from `metric_curves.py`; what a milestone does to the
model, the activity feed and webhooks is `training_record.py`'s, shared with SDK runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ulmock.domain import ledger
from ulmock.domain.activity import Activity
from ulmock.domain.catalogue import GPUS, MICRO, PLAN_LIMITS
from ulmock.domain.entities import Account, Model, Training
from ulmock.domain.errors import Forbidden, NotEnoughCredit, NotFound, StateConflict, ValidationError, not_found
from ulmock.domain.gpu_pricing import estimate, gpu_cost
from ulmock.domain.metric_curves import epoch_metrics
from ulmock.domain.records import fetch
from ulmock.domain.training_record import ACTIVE, TrainingRecord
from ulmock.domain.world import World

EVENT = "training.step"
QUEUE_SECONDS = 5.0  # waiting for a machine
STARTUP_SECONDS = 30.0  # pulling the image, downloading the dataset


@dataclass(frozen=True)
class Progress:
    """What a poller sees of a run: time spent, time left, epochs done (percent)."""

    elapsed_ms: int
    eta_ms: int
    percentage: float


class Trainings:
    def __init__(self, world: World, activity: Activity, record: TrainingRecord):
        self.world = world
        self.activity = activity
        self.record = record
        world.clock.on(EVENT, self._step)

    # -- queries -------------------------------------------------------------
    def active_count(self, account: Account) -> int:
        return sum(1 for t in self.world.trainings(account.id).values() if t.status in ACTIVE)

    def latest(self, account: Account, model_id: str) -> Training:
        model = self._model(account.id, model_id)
        if model is None:
            raise not_found("model", model_id)
        rows, _ = self.world.trainings(account.id).newest_first(model_id=model_id)
        training = next(rows, None)
        if training is None:
            raise NotFound("This model has no training", {"modelId": model_id})
        return training

    # -- start ---------------------------------------------------------------
    def start(
        self,
        account: Account,
        model_id: str,
        dataset_id: str,
        epochs: int,
        image_size: int,
        gpu_type: str,
        train_args: dict[str, Any] | None = None,
    ) -> Training:
        """Queue a run; `train_args` are the caller's other training arguments, kept as given."""
        w = self.world
        model: Model | None = self._model(account.id, model_id)
        if model is None:
            raise not_found("model", model_id)
        dataset = fetch(w.datasets, account, dataset_id)
        if dataset.task != model.task:
            raise ValidationError(
                f"Dataset task '{dataset.task}' does not match model task '{model.task}'",
                {"datasetId": f"a {model.task} dataset", "task": dataset.task},
            )
        if not dataset.images:
            raise ValidationError("The dataset has no images", {"datasetId": "dataset has no images"})
        if not 1 <= epochs <= 1000:
            raise ValidationError("epochs must be between 1 and 1000", {"epochs": "1..1000"})
        if not (32 <= image_size <= 2048 and image_size % 32 == 0):
            raise ValidationError(
                "imageSize must be a multiple of 32 in 32..2048", {"imageSize": "multiple of 32, 32..2048"}
            )
        gpu = GPUS.get(gpu_type)
        if gpu is None:
            raise ValidationError(f"Unknown gpuType '{gpu_type}'", {"gpuType": f"one of {', '.join(GPUS)}"})
        if gpu.pro_only and account.plan == "free":
            raise Forbidden(f"{gpu_type} needs the Pro plan or higher", {"gpuType": gpu_type, "plan": account.plan})
        rows, _ = w.trainings(account.id).newest_first(model_id=model_id)
        current = next(rows, None)
        if current is not None and current.status in ACTIVE:
            raise StateConflict("This model is already training", {"modelId": model_id, "trainingId": current.id})
        limit = PLAN_LIMITS[account.plan].concurrent_trainings
        if self.active_count(account) >= limit:
            raise Forbidden(
                f"Your {account.plan} plan allows {limit} concurrent trainings", {"limit": limit, "plan": account.plan}
            )
        seconds, estimated = estimate(len(dataset.images), epochs, image_size, gpu_type)
        available = ledger.available_balance(account)
        if estimated > available:
            raise NotEnoughCredit(
                "Insufficient balance for the estimated training cost",
                {"estimatedCost": estimated, "availableBalance": available, "shortfall": estimated - available},
            )
        now = w.now()
        training = w.create(
            w.trainings,
            account.id,
            model_id=model.id,
            dataset_id=dataset.id,
            epochs=epochs,
            image_size=image_size,
            gpu_type=gpu_type,
            image_count=len(dataset.images),
            epoch_seconds=seconds,
            epoch_cost=gpu_cost(seconds, gpu_type),
            estimated_cost=estimated,
            previous_model_status=model.status,
            created_at=now,
            train_args=dict(train_args or {}),
        )
        failure = w.scripts.training_failure(model.id)
        if failure is not None:
            self.inject_failure(training, failure.at_epoch, failure.error)
        ledger.reserve(account, training, estimated)
        model.status = "training"
        model.updated_at = now
        self._schedule(training, now + QUEUE_SECONDS)
        self.activity.record(
            account,
            "training.queued",
            f"Queued training of '{model.name}' on {gpu_type} for {epochs} epochs (estimated ${estimated / MICRO:.2f})",
            "model",
            model.id,
        )
        return training

    def inject_failure(self, training: Training, at_epoch: int, error: str) -> None:
        """Scripted behaviour: this run fails when it reaches `at_epoch`."""
        training.fail_at_epoch = at_epoch
        training.fail_error = error

    # -- cancel --------------------------------------------------------------
    def cancel(self, account: Account, model_id: str) -> Training:
        training = self.latest(account, model_id)
        if training.status == "cancelled":
            return training  # cancelling twice is one cancellation, as DELETE should be
        if training.status not in ACTIVE:
            raise StateConflict(f"Training is already {training.status}", {"status": training.status})
        if training.source == "platform" and training.status == "running" and training.epoch_started_at is not None:
            # Pay for the part of the epoch that ran.
            partial = self.world.now() - training.epoch_started_at
            ledger.charge(account, training, gpu_cost(partial, training.gpu_type))
        self._finish(account, training, "cancelled", None)
        return training

    # -- the clock drives the rest -----------------------------------------------
    def _schedule(self, training: Training, at: float) -> None:
        self.world.clock.schedule(at, EVENT, {"accountId": training.account_id, "trainingId": training.id})

    def _step(self, payload: dict[str, Any]) -> None:
        w = self.world
        account = w.accounts.get(payload["accountId"])
        training: Training | None = w.trainings(payload["accountId"]).get(payload["trainingId"])
        if account is None or account.deleted or training is None or training.status not in ACTIVE:
            return
        model = self._model(account.id, training.model_id)
        if model is None:
            self._finish(account, training, "cancelled", "The model was deleted")
            return
        now = w.now()
        if training.status == "queued":
            training.status = "starting"
            self.activity.record(
                account,
                "training.starting",
                f"Training of '{model.name}' is starting on {training.gpu_type}",
                "model",
                model.id,
            )
            self._schedule(training, now + STARTUP_SECONDS)
        elif training.status == "starting":
            training.status = "running"
            training.started_at = training.epoch_started_at = now
            self.record.started(account, model, training)
            self._schedule(training, now + training.epoch_seconds)
        else:
            self._epoch_done(account, training, model)

    def _epoch_done(self, account: Account, training: Training, model: Model) -> None:
        epoch = training.current_epoch + 1
        if training.fail_at_epoch is not None and epoch >= training.fail_at_epoch:
            ledger.charge(account, training, training.epoch_cost)
            error = training.fail_error or f"Training failed at epoch {epoch}"
            self._finish(account, training, "failed", error, queued=False)
            return
        if not ledger.charge(account, training, training.epoch_cost):
            self._finish(
                account,
                training,
                "failed",
                f"Insufficient balance: training stopped during epoch {epoch} of {training.epochs}",
                queued=False,
            )
            return
        metrics = epoch_metrics(self.world.seed, training.id, epoch, training.epochs)
        training.current_epoch = epoch
        training.history.append({"epoch": epoch, **metrics})
        now = self.world.now()
        training.epoch_started_at = now
        self.record.epoch(account, training, epoch, metrics)
        if epoch >= training.epochs:
            self._finish(account, training, "completed", None, queued=False)
        else:
            self._schedule(training, now + training.epoch_seconds)

    def _finish(
        self, account: Account, training: Training, status: str, error: str | None, *, queued: bool = True
    ) -> None:
        # A run has at most one step queued; finishing from that step (already popped) leaves
        # none, and skipping the scan keeps many concurrent runs from costing O(n^2).
        if queued:
            self.world.clock.cancel(lambda d: d.kind == EVENT and d.payload.get("trainingId") == training.id)
        self.record.finish(account, training, status, error)

    def _model(self, account_id: str, model_id: str) -> Model | None:
        return self.world.models(account_id).get(model_id)

    # -- what a poller sees ----------------------------------------------------
    def progress(self, t: Training) -> Progress:
        now = self.world.now()
        end = t.finished_at if t.finished_at is not None else now
        elapsed = max(0.0, end - t.started_at) if t.started_at is not None else 0.0
        if t.status == "queued":
            eta = (t.created_at + QUEUE_SECONDS - now) + STARTUP_SECONDS + t.epochs * t.epoch_seconds
        elif t.status == "starting":
            # queued ended QUEUE_SECONDS after creation
            eta = (t.created_at + QUEUE_SECONDS + STARTUP_SECONDS - now) + t.epochs * t.epoch_seconds
        elif t.status == "running" and t.started_at is not None:
            eta = t.started_at + t.epochs * t.epoch_seconds - now
        else:
            eta = 0.0
        return Progress(
            elapsed_ms=round(elapsed * 1000),
            eta_ms=round(max(0.0, eta) * 1000),
            percentage=round(100.0 * t.current_epoch / t.epochs, 1),
        )
