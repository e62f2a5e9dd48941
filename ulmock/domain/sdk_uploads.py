"""Checkpoints of SDK runs: a signed upload URL, and the bytes PUT to it becoming the model's file."""

from __future__ import annotations

from dataclasses import dataclass

from ulmock.domain.activity import Activity
from ulmock.domain.entities import Account, Model, ModelFile
from ulmock.domain.errors import NotFound, ValidationError
from ulmock.domain.grants import BlobRef, Grant, grant
from ulmock.domain.limits import UPLOAD_LIMIT
from ulmock.domain.modelfiles import inspect_model_file
from ulmock.domain.sdk_workspace import SdkWorkspace
from ulmock.domain.storage import Storage
from ulmock.domain.world import World


@dataclass(frozen=True)
class UploadTarget:
    model: Model
    upload: Grant  # the checkpoint's PUT target
    gcs_path: str


class SdkUploads:
    def __init__(self, world: World, workspace: SdkWorkspace, storage: Storage, activity: Activity):
        self.world = world
        self.workspace = workspace  # which model a checkpoint is for, and the models area that stores it
        self.storage = storage
        self.activity = activity

    def upload_target(
        self,
        account: Account,
        filename: str,
        model_id: str | None = None,
        run_id: int | None = None,
        project: str | None = None,
        name: str | None = None,
        size: float | None = None,
    ) -> UploadTarget:
        w = self.world
        if "/" in filename or "\\" in filename or filename in (".", ".."):
            raise ValidationError("filename must be a plain file name", {"filename": "no path separators"})
        if not filename.lower().endswith((".pt", ".onnx")):
            raise ValidationError("Checkpoints must be .pt or .onnx files", {"filename": f"got '{filename}'"})
        model = self.workspace.find_model(account, model_id, project, name)
        run = self.workspace.latest_run(account, model)
        if run_id is not None and (run is None or run.run_id != run_id):
            raise NotFound("No such run of this model", {"runId": run_id})
        if size is not None:
            if size > UPLOAD_LIMIT:
                raise ValidationError("Checkpoint is too large", {"size": f"at most {UPLOAD_LIMIT} bytes"})
            self.storage.require_room(account, int(size) - (model.file.size if model.file else 0))
        upload = grant(BlobRef("checkpoint", model.id, filename, run_id or 0), w.now())
        return UploadTarget(model, upload, f"gs://ulmock-models/{account.username}/{model.id}/{filename}")

    def receive_upload(self, model_id: str, filename: str, data: bytes) -> ModelFile:
        """The bytes PUT to a signed upload URL (already verified) become the model's file."""
        models = self.workspace.models
        model = models.find_any(model_id)
        account = self.world.accounts.get(model.account_id) if model is not None else None
        if model is None or account is None or account.deleted:
            raise NotFound("Model not found", {"id": model_id})
        info = inspect_model_file(filename, data)
        self.storage.require_room(account, len(data) - (model.file.size if model.file else 0))
        stored = models.attach_file(model, filename, data, info.format)
        if model.status != "training":  # e.g. the partial results of a cancelled run
            model.status = "ready"
        self.activity.record(
            account, "model.uploaded", f"Uploaded checkpoint {filename} of '{model.name}'", "model", model.id
        )
        return stored
