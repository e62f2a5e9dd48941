"""Training runs that move on the clock: queued -> starting -> running -> completed.

Each run reserves its estimated cost when it starts, is charged real GPU time epoch by
epoch (credit first, then cash), and releases what is left of the reservation when it
ends. Epoch durations follow from the dataset's size, the image size and the GPU; the
metrics are believable curves drawn from the world's seed and the training's id.
"""

from __future__ import annotations

import math
import random
from typing import Any

from ulmock.domain.activity import Activity
from ulmock.domain.catalogue import GPUS, MICRO, PLAN_LIMITS
from ulmock.domain.entities import Account, Model, Training
from ulmock.domain.webhooks import Webhooks
from ulmock.domain.world import World
from ulmock.domain.errors import Forbidden, NotEnoughCredit, NotFound, StateConflict, ValidationError, not_found

EVENT = "training.step"
ACTIVE = ("queued", "starting", "running")
QUEUE_SECONDS = 5.0  # waiting for a machine
STARTUP_SECONDS = 30.0  # pulling the image, downloading the dataset
REFERENCE_PRICE = 0.24  # the cheapest GPU runs at speed 1
# Seconds per training image at 640 px on the reference GPU, and per epoch for validation.
SECONDS_PER_IMAGE = 0.6
EPOCH_OVERHEAD = 4.0
# Prices the catalogue does not publish, for speed and billing alike.
UNPUBLISHED_PRICE = {"rtx-pro-4000": 0.55, "rtx-pro-5000": 0.95}
METRIC_NAMES = (
    "train/box_loss", "train/cls_loss", "train/dfl_loss", "metrics/precision(B)", "metrics/recall(B)",
    "metrics/mAP50(B)", "metrics/mAP50-95(B)", "val/box_loss", "val/cls_loss", "val/dfl_loss",
    "lr/pg0", "lr/pg1", "lr/pg2",
)  # fmt: skip


def gpu_price(gpu_type: str) -> float:
    price = GPUS[gpu_type].usd_per_hour
    return price if price is not None else UNPUBLISHED_PRICE.get(gpu_type, 1.0)


def gpu_speed(gpu_type: str) -> float:
    """Throughput relative to the cheapest GPU: grows with price, less than linearly."""
    return (gpu_price(gpu_type) / REFERENCE_PRICE) ** 0.7


def epoch_seconds(image_count: int, image_size: int, gpu_type: str) -> float:
    work = image_count * SECONDS_PER_IMAGE * (image_size / 640) ** 2
    return round(EPOCH_OVERHEAD + work / gpu_speed(gpu_type), 3)


def gpu_cost(seconds: float, gpu_type: str) -> int:
    """Micro-USD for `seconds` of the GPU."""
    return int(round(seconds * gpu_price(gpu_type) * MICRO / 3600))


def epoch_metrics(seed: Any, training_id: str, epoch: int, epochs: int) -> dict[str, float]:
    """Ultralytics-named metrics after `epoch` (1-based): losses fall, mAP rises and saturates."""
    base = random.Random(f"{seed}:{training_id}")
    ceiling = 0.55 + 0.35 * base.random()  # the mAP50 this run converges to
    tau = max(1.5, min(40.0, epochs / 4))
    rng = random.Random(f"{seed}:{training_id}:{epoch}")

    def noise(scale: float) -> float:
        return 1 + rng.uniform(-scale, scale)

    p = 1 - math.exp(-epoch / tau)
    decay = math.exp(-epoch / tau)
    map50 = ceiling * p * noise(0.02)
    lr0, lrf, warmup = 0.01, 0.01, 3
    lr = lr0 * ((1 - (epoch - 1) / epochs) * (1 - lrf) + lrf)
    if epoch <= warmup:
        bias = 0.1 - (0.1 - lr) * epoch / warmup
        weights = lr * epoch / warmup
    else:
        bias = weights = lr
    return {
        "train/box_loss": round((0.9 + 0.8 * decay) * noise(0.03), 5),
        "train/cls_loss": round((0.6 + 2.2 * decay) * noise(0.03), 5),
        "train/dfl_loss": round((0.95 + 0.5 * decay) * noise(0.02), 5),
        "metrics/precision(B)": round(min(0.99, (0.2 + (ceiling + 0.1 - 0.2) * p) * noise(0.03)), 5),
        "metrics/recall(B)": round(min(0.99, (0.15 + (ceiling - 0.05 - 0.15) * p) * noise(0.03)), 5),
        "metrics/mAP50(B)": round(min(0.99, map50), 5),
        "metrics/mAP50-95(B)": round(min(0.99, map50 * (0.62 + 0.06 * p)), 5),
        "val/box_loss": round((1.1 + 0.7 * decay) * noise(0.03), 5),
        "val/cls_loss": round((0.8 + 2.0 * decay) * noise(0.04), 5),
        "val/dfl_loss": round((1.05 + 0.45 * decay) * noise(0.02), 5),
        "lr/pg0": round(bias, 7),
        "lr/pg1": round(weights, 7),
        "lr/pg2": round(weights, 7),
    }


class Trainings:
    def __init__(self, world: World, activity: Activity, webhooks: Webhooks):
        self.world = world
        self.activity = activity
        self.webhooks = webhooks
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

    def estimate(self, image_count: int, epochs: int, image_size: int, gpu_type: str) -> tuple[float, int]:
        seconds = epoch_seconds(image_count, image_size, gpu_type)
        return seconds, gpu_cost(seconds, gpu_type) * epochs

    # -- start ---------------------------------------------------------------
    def start(self, account: Account, model_id: str, dataset_id: str, epochs: int, image_size: int,
              gpu_type: str, train_args: dict[str, Any] | None = None) -> Training:  # fmt: skip
        """Queue a run; `train_args` are the caller's other training arguments, kept as given."""
        w = self.world
        model: Model | None = self._model(account.id, model_id)
        if model is None:
            raise not_found("model", model_id)
        dataset = w.datasets(account.id).get(dataset_id)
        if dataset is None:
            raise not_found("dataset", dataset_id)
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
            raise ValidationError("imageSize must be a multiple of 32 in 32..2048", {"imageSize": "multiple of 32, 32..2048"})
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
            raise Forbidden(f"Your {account.plan} plan allows {limit} concurrent trainings",
                            {"limit": limit, "plan": account.plan})  # fmt: skip
        seconds, estimated = self.estimate(len(dataset.images), epochs, image_size, gpu_type)
        available = account.cash_balance + account.credit_balance - account.reserved
        if estimated > available:
            raise NotEnoughCredit(
                "Insufficient balance for the estimated training cost",
                {"estimatedCost": estimated, "availableBalance": available, "shortfall": estimated - available},
            )
        now = w.now()
        training = Training(
            id=w.ids.new("training"), account_id=account.id, model_id=model.id, dataset_id=dataset.id,
            epochs=epochs, image_size=image_size, gpu_type=gpu_type, image_count=len(dataset.images),
            epoch_seconds=seconds, epoch_cost=gpu_cost(seconds, gpu_type), estimated_cost=estimated,
            reserved=estimated, previous_model_status=model.status, created_at=now, train_args=dict(train_args or {}),
        )  # fmt: skip
        failure = w.scripts.training_failure(model.id)
        if failure is not None:
            self.inject_failure(training, failure.at_epoch, failure.error)
        account.reserved += estimated
        w.trainings(account.id).add(training.id, training)
        model.status = "training"
        model.updated_at = now
        self._schedule(training, now + QUEUE_SECONDS)
        self.activity.record(account, "training.queued",
                             f"Queued training of '{model.name}' on {gpu_type} for {epochs} epochs "
                             f"(estimated ${estimated / MICRO:.2f})", "model", model.id)  # fmt: skip
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
            self._charge(account, training, gpu_cost(partial, training.gpu_type))
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
            self.activity.record(account, "training.starting", f"Training of '{model.name}' is starting on {training.gpu_type}",
                                 "model", model.id)  # fmt: skip
            self._schedule(training, now + STARTUP_SECONDS)
        elif training.status == "starting":
            training.status = "running"
            training.started_at = training.epoch_started_at = now
            self.activity.record(account, "training.started", f"Started training '{model.name}'", "model", model.id)
            self.webhooks.emit(account, "training.started", self._event_data(training))
            self._schedule(training, now + training.epoch_seconds)
        else:
            self._epoch_done(account, training, model)

    def _epoch_done(self, account: Account, training: Training, model: Model) -> None:
        epoch = training.current_epoch + 1
        if training.fail_at_epoch is not None and epoch >= training.fail_at_epoch:
            self._charge(account, training, training.epoch_cost)
            self._finish(account, training, "failed", training.fail_error or f"Training failed at epoch {epoch}")
            return
        if not self._charge(account, training, training.epoch_cost):
            self._finish(account, training, "failed",
                         f"Insufficient balance: training stopped during epoch {epoch} of {training.epochs}")  # fmt: skip
            return
        metrics = epoch_metrics(self.world.seed, training.id, epoch, training.epochs)
        training.current_epoch = epoch
        training.history.append({"epoch": epoch, **metrics})
        now = self.world.now()
        training.epoch_started_at = now
        self.webhooks.emit(account, "training.epoch", {**self._event_data(training), "epoch": epoch, "metrics": metrics})
        if epoch >= training.epochs:
            self._finish(account, training, "completed", None)
        else:
            self._schedule(training, now + training.epoch_seconds)

    def _charge(self, account: Account, training: Training, amount: int) -> bool:
        """Take `amount` (credit first, then cash); False, taking what there is, if short."""
        # The money this run may use: its own reservation plus whatever is not reserved.
        usable = account.cash_balance + account.credit_balance - (account.reserved - training.reserved)
        take = max(0, min(amount, usable))
        from_credit = min(take, account.credit_balance)
        account.credit_balance -= from_credit
        account.cash_balance -= take - from_credit
        released = min(take, training.reserved)
        training.reserved -= released
        account.reserved -= released
        training.cost_so_far += take
        return take >= amount

    def _finish(self, account: Account, training: Training, status: str, error: str | None) -> None:
        w = self.world
        w.clock.cancel(lambda d: d.kind == EVENT and d.payload.get("trainingId") == training.id)
        account.reserved -= training.reserved
        training.reserved = 0
        training.status = status  # type: ignore[assignment]
        training.error = error
        training.epoch_started_at = None
        training.finished_at = w.now()
        model = self._model(account.id, training.model_id)
        name = model.name if model else training.model_id
        cost = f"${training.cost_so_far / MICRO:.2f}"
        if model is not None:
            model.updated_at = w.now()
            if status == "completed":
                model.status = "ready"
                model.dataset_id = training.dataset_id
                dataset = w.datasets(account.id).get(training.dataset_id)
                if dataset is not None and dataset.class_names:
                    model.class_names = list(dataset.class_names)
                last = training.history[-1] if training.history else {}
                model.metrics = {k: float(v) for k, v in last.items() if k.startswith("metrics/")}
            elif status == "failed":
                model.status = "failed"
            else:
                model.status = training.previous_model_status
        if status == "completed":
            self.activity.record(account, "training.completed",
                                 f"Training of '{name}' completed: {training.epochs} epochs, {cost}", "model", training.model_id)  # fmt: skip
            self.webhooks.emit(account, "training.completed", {**self._event_data(training), "metrics": model.metrics if model else {}})
        elif status == "failed":
            self.activity.record(account, "training.failed", f"Training of '{name}' failed: {error}", "model", training.model_id)
            self.webhooks.emit(account, "training.failed", {**self._event_data(training), "error": error})
        else:
            self.activity.record(account, "training.cancelled", f"Cancelled training of '{name}' ({cost} charged)",
                                 "model", training.model_id)  # fmt: skip

    # -- runs reported by the SDK (domain/sdk_runs.py): same record and events, no clock --
    def begin_reported(self, account: Account, model: Model, training: Training) -> None:
        """A run the user started on their own machine: running from its first report."""
        self.world.trainings(account.id).add(training.id, training)
        model.status = "training"
        model.updated_at = training.created_at
        self.activity.record(account, "training.started", f"Started training '{model.name}' (reported by the SDK)",
                             "model", model.id)  # fmt: skip
        self.webhooks.emit(account, "training.started", self._event_data(training))

    def epoch_reported(self, account: Account, training: Training, epoch: int, metrics: dict[str, float]) -> None:
        training.current_epoch = max(training.current_epoch, epoch)
        training.history = [h for h in training.history if int(h["epoch"]) != epoch] + [{"epoch": epoch, **metrics}]
        training.history.sort(key=lambda h: h["epoch"])
        training.epoch_started_at = self.world.now()
        self.webhooks.emit(account, "training.epoch", {**self._event_data(training), "epoch": epoch, "metrics": metrics})

    def finish_reported(self, account: Account, training: Training, status: str, error: str | None) -> None:
        self._finish(account, training, status, error)

    def _event_data(self, t: Training) -> dict[str, Any]:
        return {"trainingId": t.id, "modelId": t.model_id, "datasetId": t.dataset_id, "status": t.status,
                "currentEpoch": t.current_epoch, "totalEpochs": t.epochs, "gpuType": t.gpu_type,
                "costSoFar": t.cost_so_far}  # fmt: skip

    def _model(self, account_id: str, model_id: str) -> Model | None:
        return self.world.models(account_id).get(model_id)

    # -- what a poller sees ----------------------------------------------------
    def progress(self, t: Training) -> dict[str, Any]:
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
        return {"elapsedMs": int(round(elapsed * 1000)), "etaMs": int(round(max(0.0, eta) * 1000)),
                "percentage": round(100.0 * t.current_epoch / t.epochs, 1)}  # fmt: skip
