"""Trainings on the user's own machine, reported by the `ultralytics` package.

Each run is a `Training` record with `source="sdk"`, so `GET /api/models/{id}/training`,
webhooks and activity show it exactly as they show the Platform's own runs; here it moves
on reports, not the clock. Which model a report names is `sdk_workspace.py`'s question,
its checkpoints go through `sdk_uploads.py`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ulmock.domain.activity import Activity
from ulmock.domain.catalogue import TASKS
from ulmock.domain.entities import Account, Model, Training
from ulmock.domain.errors import NotFound, StateConflict, ValidationError
from ulmock.domain.sdk_workspace import SdkWorkspace
from ulmock.domain.training_record import ACTIVE, TrainingRecord
from ulmock.domain.world import World

CONSOLE_LINES = 2000  # a run's console output kept, newest last
DEFAULT_IMAGE_SIZE = 640


@dataclass(frozen=True)
class Report:
    """What the SDK is told after each event."""

    model: Model
    training: Training
    cancelled: bool


def finite_metrics(values: Any) -> dict[str, float]:
    """The numeric, finite entries: the SDK sends None for NaN and may add other fields."""
    if not isinstance(values, dict):
        return {}
    return {
        str(k): float(v)
        for k, v in values.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    }


class SdkRuns:
    def __init__(self, world: World, workspace: SdkWorkspace, record: TrainingRecord, activity: Activity):
        self.world = world
        self.workspace = workspace
        self.record = record
        self.activity = activity
        # Each event of a known run, and whether it counts only while the run is active. An
        # epoch_end is sent in the background: the last may arrive after training_complete.
        self._handlers: dict[str, tuple[Handler, bool]] = {
            "epoch_end": (self._epoch, False),
            "console_output": (self._console, False),
            "checkpoint_saved": (self._checkpoint, True),
            "training_complete": (self._complete, True),
            "training_failed": (self._failed, True),
        }

    def report(
        self,
        account: Account,
        event: str,
        data: dict[str, Any],
        model_id: str | None = None,
        project: str | None = None,
        name: str | None = None,
    ) -> Report:
        if event == "training_started":
            return self._started(account, data, model_id, project, name)
        model = self.workspace.find_model(account, model_id, project, name)
        training = self.workspace.latest_run(account, model)
        if training is None:
            raise NotFound("This model has no reported training run", {"modelId": model.id})
        if training.status == "cancelled":
            return Report(model, training, True)  # tells the SDK to stop; nothing more is recorded
        handler, only_active = self._handlers.get(event, (None, False))
        if handler is not None and (training.status in ACTIVE or not only_active):
            handler(account, model, training, data)
        return Report(model, training, False)

    def _started(
        self, account: Account, data: dict[str, Any], model_id: str | None, project: str | None, name: str | None
    ) -> Report:
        raw_args = data.get("trainArgs")
        args: dict[str, Any] = raw_args if isinstance(raw_args, dict) else {}
        if model_id:  # a resumed run: the model must still be there (404 tells the SDK to start afresh)
            model = self.workspace.find_model(account, model_id, None, None)
            current = self.workspace.latest_run(account, model)
            if current is not None and current.status == "cancelled":
                return Report(model, current, True)
            if current is not None and current.status in ACTIVE:
                return Report(model, current, False)
            if any(t.status in ACTIVE for t in self.world.trainings(account.id).newest_first(model_id=model.id)[0]):
                raise StateConflict("This model is already training on the Platform", {"modelId": model.id})
        else:
            if not project:
                raise ValidationError("project is required to start a run", {"project": "required without modelId"})
            model = self.workspace.new_model(account, project, name, _task(args))
        training = self._new_run(account, model, data, args)
        model.status = "training"
        model.updated_at = training.created_at
        self.record.started(account, model, training, " (reported by the SDK)")
        return Report(model, training, False)

    def _new_run(self, account: Account, model: Model, data: dict[str, Any], args: dict[str, Any]) -> Training:
        w = self.world
        dataset = self.workspace.dataset(account, args.get("data"))
        epochs = data.get("epochs")
        now = w.now()
        return w.create(
            w.trainings,
            account.id,
            model_id=model.id,
            dataset_id=dataset.id if dataset else "",
            status="running",
            epochs=epochs if isinstance(epochs, int) and epochs > 0 else _int(args.get("epochs"), 1),
            image_size=_int(args.get("imgsz"), DEFAULT_IMAGE_SIZE),
            gpu_type=str(data.get("device") or "cpu")[:64],
            image_count=len(dataset.images) if dataset else 0,
            epoch_seconds=0.0,
            epoch_cost=0,
            estimated_cost=0,
            # what a cancel puts back: a fresh model has no weights yet
            previous_model_status="ready" if model.file else "pending",
            created_at=now,
            started_at=now,
            epoch_started_at=now,
            source="sdk",
            run_id=len(w.trainings(account.id)) + 1,
            train_args=args,
        )

    def _epoch(self, account: Account, model: Model, training: Training, data: dict[str, Any]) -> None:
        epoch = max(
            1, _int(data.get("epoch"), training.current_epoch) + 1
        )  # the SDK counts from 0, the Platform from 1
        if epoch > training.epochs:
            # After the last epoch the SDK validates best.pt and reports it as one more epoch_end;
            # it is no epoch, and training_complete brings the same final metrics.
            return
        metrics = finite_metrics(data.get("metrics"))
        for key in ("fitness", "best_fitness"):
            metrics.update(finite_metrics({key: data.get(key)}))
        training.current_epoch = max(training.current_epoch, epoch)
        training.history = [h for h in training.history if int(h["epoch"]) != epoch] + [{"epoch": epoch, **metrics}]
        training.history.sort(key=lambda h: h["epoch"])
        training.epoch_started_at = self.world.now()
        self.record.epoch(account, training, epoch, metrics)
        if training.started_at is not None and training.current_epoch:  # the ETA follows the pace so far
            training.epoch_seconds = round((self.world.now() - training.started_at) / training.current_epoch, 3)

    def _console(self, account: Account, model: Model, training: Training, data: dict[str, Any]) -> None:
        content = data.get("content")
        if isinstance(content, str) and content:
            training.console.extend(content.splitlines())
            del training.console[:-CONSOLE_LINES]

    def _checkpoint(self, account: Account, model: Model, training: Training, data: dict[str, Any]) -> None:
        if data.get("runId") not in (None, training.run_id):
            raise ValidationError("runId does not belong to this model's run", {"runId": "not this model's run"})
        if model.file is None:
            raise ValidationError("No checkpoint was uploaded for this run", {"modelPath": "upload it first"})

    def _complete(self, account: Account, model: Model, training: Training, data: dict[str, Any]) -> None:
        raw_results = data.get("results")
        results: dict[str, Any] = raw_results if isinstance(raw_results, dict) else {}
        self.record.finish(account, training, "completed", None)
        final = finite_metrics(results.get("metrics"))
        if final:
            model.metrics = {k: v for k, v in final.items() if k.startswith("metrics/")} or model.metrics
        names = data.get("classNames")
        if isinstance(names, list) and all(isinstance(n, str) for n in names):
            model.class_names = list(names)
        model.dataset_id = training.dataset_id or None
        best = results.get("bestEpoch")
        if isinstance(best, int):
            self.activity.record(
                account, "training.best", f"Best epoch of '{model.name}': {best + 1}", "model", model.id
            )

    def _failed(self, account: Account, model: Model, training: Training, data: dict[str, Any]) -> None:
        error = str(data.get("error") or "Training failed on the user's machine")[:500]
        self.record.finish(account, training, "failed", error)


Handler = Callable[[Account, Model, Training, dict[str, Any]], None]


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


def _task(args: dict[str, Any]) -> str:
    task = str(args.get("task") or "detect")
    return task if task in TASKS else "detect"
