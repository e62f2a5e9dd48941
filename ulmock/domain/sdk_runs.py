"""Trainings on the user's own machine, reported by the `ultralytics` package.

The SDK names a run by `project` ("user/project-slug") and `name` on its first report,
then by the `modelId` the answer gave it. Each run is a `Training` record with
`source="sdk"`, so `GET /api/models/{id}/training`, webhooks and activity show it
exactly as they show the Platform's own runs; here it moves on reports, not the clock.
Checkpoints come in through a signed upload URL, like a cloud bucket's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ulmock.domain.accounts import Accounts
from ulmock.domain.activity import Activity
from ulmock.domain.datasets import Datasets
from ulmock.domain.entities import Account, Model, ModelFile, Project, Training
from ulmock.domain.ids import slugify
from ulmock.domain.modelfiles import inspect_model_file
from ulmock.domain.models import Models
from ulmock.domain.records import NAME_MAX
from ulmock.domain.projects import Projects
from ulmock.domain.signing import SignedPath
from ulmock.domain.storage import Storage
from ulmock.domain.training import ACTIVE, Trainings
from ulmock.domain.world import World
from ulmock.domain.errors import Forbidden, NotFound, StateConflict, ValidationError, not_found
from ulmock.domain.limits import UPLOAD_LIMIT

UPLOAD_URL_TTL = 3600.0
CONSOLE_LINES = 2000  # a run's console output kept, newest last
DEFAULT_IMAGE_SIZE = 640


@dataclass(frozen=True)
class Report:
    """What the SDK is told after each event."""

    model: Model
    training: Training
    cancelled: bool


@dataclass(frozen=True)
class UploadTarget:
    model: Model
    signed: SignedPath
    gcs_path: str
    upload_path: str


def upload_path(model_id: str, run_id: int, filename: str) -> str:
    return f"/files/uploads/{model_id}/{run_id}/{filename}"


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
    def __init__(self, world: World, accounts: Accounts, projects: Projects, datasets: Datasets, models: Models,
                 trainings: Trainings, storage: Storage, activity: Activity):  # fmt: skip
        self.world = world
        self.accounts = accounts
        self.projects = projects
        self.datasets = datasets
        self.models = models
        self.trainings = trainings
        self.storage = storage
        self.activity = activity

    # -- addressing ------------------------------------------------------------
    def project_slug(self, account: Account, project: str) -> str:
        """`user/slug` or `slug`: another account's workspace needs team access ulmock has no teams for."""
        owner, _, slug = project.rpartition("/")
        if owner and owner != account.username and self.accounts.by_username(owner) is not None:
            raise Forbidden("You have no editor access to this workspace", {"project": project})
        return _slug(slug)

    def find_model(self, account: Account, model_id: str | None, project: str | None, name: str | None) -> Model:
        if model_id:
            return self.models.get(account, model_id)
        if not project:
            raise ValidationError("modelId or project is required", {"modelId": "required without project"})
        found = self.projects.by_slug(account, self.project_slug(account, project))
        model = self._model_in(account, found, _slug(name or "train")) if found else None
        if model is None:
            raise NotFound("Model not found", {"project": project, "name": name or "train"})
        return model

    def by_path(self, account: Account, owner: str, project_slug: str, model_slug: str) -> Model:
        """`ul://owner/project/model`: models are private, so only the caller's own."""
        project = self.projects.by_slug(account, project_slug) if owner == account.username else None
        model = self._model_in(account, project, model_slug) if project else None
        if model is None:
            raise not_found("model", f"{owner}/{project_slug}/{model_slug}")
        return model

    def _model_in(self, account: Account, project: Project, slug: str) -> Model | None:
        rows, total = self.world.table("model", account.id).newest_first(project_id=project.id, slug=slug)
        return next(rows, None) if total else None

    def latest_run(self, account: Account, model: Model) -> Training | None:
        rows, _ = self.world.table("training", account.id).newest_first(model_id=model.id)
        return next((t for t in rows if t.source == "sdk"), None)

    # -- events ----------------------------------------------------------------
    def report(self, account: Account, event: str, data: dict[str, Any], model_id: str | None = None,
               project: str | None = None, name: str | None = None) -> Report:  # fmt: skip
        if event == "training_started":
            return self._started(account, data, model_id, project, name)
        model = self.find_model(account, model_id, project, name)
        training = self.latest_run(account, model)
        if training is None:
            raise NotFound("This model has no reported training run", {"modelId": model.id})
        if training.status == "cancelled":
            return Report(model, training, True)  # tells the SDK to stop; nothing more is recorded
        if event == "epoch_end":  # sent in the background: the last may arrive after training_complete
            self._epoch(account, training, data)
        elif event == "console_output":
            self._console(training, data)
        elif training.status in ACTIVE:
            if event == "checkpoint_saved":
                self._checkpoint(account, model, training, data)
            elif event == "training_complete":
                self._complete(account, model, training, data)
            elif event == "training_failed":
                error = str(data.get("error") or "Training failed on the user's machine")[:500]
                self.trainings.finish_reported(account, training, "failed", error)
        return Report(model, training, False)

    def _started(self, account: Account, data: dict[str, Any], model_id: str | None, project: str | None,
                 name: str | None) -> Report:  # fmt: skip
        raw_args = data.get("trainArgs")
        args: dict[str, Any] = raw_args if isinstance(raw_args, dict) else {}
        if model_id:  # a resumed run: the model must still be there (404 tells the SDK to start afresh)
            model = self.models.get(account, model_id)
            current = self.latest_run(account, model)
            if current is not None and current.status == "cancelled":
                return Report(model, current, True)
            if current is not None and current.status in ACTIVE:
                return Report(model, current, False)
            if self.trainings.active_count(account) and any(
                t.status in ACTIVE for t in self.world.table("training", account.id).newest_first(model_id=model.id)[0]
            ):
                raise StateConflict("This model is already training on the Platform", {"modelId": model.id})
        else:
            if not project:
                raise ValidationError("project is required to start a run", {"project": "required without modelId"})
            slug = self.project_slug(account, project)
            found = self.projects.by_slug(account, slug)
            # The Platform creates the project on a first run into a new one, as `yolo train project=...` expects.
            target = found or self.projects.create(account, slug)
            model = self.models.create(account, target.id, _slug(name or "train"), task=_task(args),
                                       source="sdk", status="training")  # fmt: skip
        training = self._new_run(account, model, data, args)
        self.trainings.begin_reported(account, model, training)
        return Report(model, training, False)

    def _new_run(self, account: Account, model: Model, data: dict[str, Any], args: dict[str, Any]) -> Training:
        w = self.world
        dataset = self._dataset(account, args.get("data"))
        epochs = data.get("epochs")
        now = w.now()
        return Training(
            id=w.ids.new("training"), account_id=account.id, model_id=model.id,
            dataset_id=dataset.id if dataset else "", status="running",
            epochs=epochs if isinstance(epochs, int) and epochs > 0 else _int(args.get("epochs"), 1),
            image_size=_int(args.get("imgsz"), DEFAULT_IMAGE_SIZE), gpu_type=str(data.get("device") or "cpu")[:64],
            image_count=len(dataset.images) if dataset else 0, epoch_seconds=0.0, epoch_cost=0, estimated_cost=0,
            # what a cancel puts back: a fresh model has no weights yet
            previous_model_status="ready" if model.file else "pending", created_at=now, started_at=now, epoch_started_at=now,
            source="sdk", run_id=len(w.table("training", account.id)) + 1, train_args=args,
        )  # fmt: skip

    def _dataset(self, account: Account, uri: Any) -> Any:
        """The caller's dataset when the run trains on `ul://user/datasets/slug`."""
        parts = str(uri or "").removeprefix("ul://").split("/")
        if not str(uri).startswith("ul://") or len(parts) != 3 or parts[1] != "datasets":
            return None
        owner = self.accounts.by_username(parts[0])
        return self.datasets.by_slug(owner, parts[2]) if owner is not None and owner.id == account.id else None

    def _epoch(self, account: Account, training: Training, data: dict[str, Any]) -> None:
        epoch = max(1, _int(data.get("epoch"), training.current_epoch) + 1)  # the SDK counts from 0, the Platform from 1
        if epoch > training.epochs:
            # After the last epoch the SDK validates best.pt and reports it as one more epoch_end;
            # it is no epoch, and training_complete brings the same final metrics.
            return
        metrics = finite_metrics(data.get("metrics"))
        for key in ("fitness", "best_fitness"):
            metrics.update(finite_metrics({key: data.get(key)}))
        self.trainings.epoch_reported(account, training, epoch, metrics)
        if training.started_at is not None and training.current_epoch:  # the ETA follows the pace so far
            training.epoch_seconds = round((self.world.now() - training.started_at) / training.current_epoch, 3)

    def _console(self, training: Training, data: dict[str, Any]) -> None:
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
        self.trainings.finish_reported(account, training, "completed", None)
        final = finite_metrics(results.get("metrics"))
        if final:
            model.metrics = {k: v for k, v in final.items() if k.startswith("metrics/")} or model.metrics
        names = data.get("classNames")
        if isinstance(names, list) and all(isinstance(n, str) for n in names):
            model.class_names = list(names)
        model.dataset_id = training.dataset_id or None
        best = results.get("bestEpoch")
        if isinstance(best, int):
            self.activity.record(account, "training.best", f"Best epoch of '{model.name}': {best + 1}",
                                 "model", model.id)  # fmt: skip

    # -- checkpoint uploads ------------------------------------------------------
    def upload_target(self, account: Account, filename: str, model_id: str | None = None, run_id: int | None = None,
                      project: str | None = None, name: str | None = None,
                      size: float | None = None) -> UploadTarget:  # fmt: skip
        w = self.world
        if "/" in filename or "\\" in filename or filename in (".", ".."):
            raise ValidationError("filename must be a plain file name", {"filename": "no path separators"})
        if not filename.lower().endswith((".pt", ".onnx")):
            raise ValidationError("Checkpoints must be .pt or .onnx files", {"filename": f"got '{filename}'"})
        model = self.find_model(account, model_id, project, name)
        run = self.latest_run(account, model)
        if run_id is not None and (run is None or run.run_id != run_id):
            raise NotFound("No such run of this model", {"runId": run_id})
        if size is not None:
            if size > UPLOAD_LIMIT:
                raise ValidationError("Checkpoint is too large", {"size": f"at most {UPLOAD_LIMIT} bytes"})
            self.storage.require_room(account, int(size) - (model.file.size if model.file else 0))
        path = upload_path(model.id, run_id if run_id is not None else 0, filename)
        signed = w.signer.sign(path, w.now(), UPLOAD_URL_TTL)
        return UploadTarget(model, signed, f"gs://ulmock-models/{account.username}/{model.id}/{filename}", path)

    def receive_upload(self, model_id: str, filename: str, data: bytes) -> ModelFile:
        """The bytes PUT to a signed upload URL (already verified) become the model's file."""
        model = self.models.find_any(model_id)
        account = self.world.accounts.get(model.account_id) if model is not None else None
        if model is None or account is None or account.deleted:
            raise NotFound("Model not found", {"id": model_id})
        info = inspect_model_file(filename, data)
        self.storage.require_room(account, len(data) - (model.file.size if model.file else 0))
        stored = self.models.attach_file(model, filename, data, info.format)
        if model.status != "training":  # e.g. the partial results of a cancelled run
            model.status = "ready"
        self.activity.record(account, "model.uploaded", f"Uploaded checkpoint {filename} of '{model.name}'",
                             "model", model.id)  # fmt: skip
        return stored


def _slug(text: str) -> str:
    """A slug that fits a name (the SDK allows 128 characters, names stop at 100)."""
    return slugify(text)[:NAME_MAX].strip("-") or "untitled"


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


def _task(args: dict[str, Any]) -> str:
    task = str(args.get("task") or "detect")
    return task if task in ("detect", "segment", "classify", "pose", "obb") else "detect"
