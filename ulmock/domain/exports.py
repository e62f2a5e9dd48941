"""Model exports: queued -> running -> completed | failed, each format at its own pace.

A completed export has an artifact named as Ultralytics names it (`model.onnx`,
`model_openvino_model.zip`, ...). Exporting an `.onnx` model to onnx gives back that
very file; other artifacts are placeholders with the right name and container (a real
zip for directory formats), so downloads and storage accounting behave.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ulmock.domain.activity import Activity
from ulmock.domain.catalogue import EXPORT_FORMATS
from ulmock.domain.entities import Account, Blob, Export, Model
from ulmock.domain.errors import StateConflict, ValidationError
from ulmock.domain.grants import BlobRef, Grant, grant
from ulmock.domain.records import fetch
from ulmock.domain.store import Page
from ulmock.domain.webhook_events import ExportCompleted
from ulmock.domain.webhooks import Webhooks
from ulmock.domain.world import World

EVENT = "export.step"
QUEUE_SECONDS = 3.0
# format: (artifact name, seconds of running)
ARTIFACTS: dict[str, tuple[str, float]] = {
    "onnx": ("model.onnx", 20.0),
    "torchscript": ("model.torchscript", 15.0),
    "openvino": ("model_openvino_model.zip", 45.0),
    "tensorrt": ("model.engine", 240.0),
    "coreml": ("model.mlpackage.zip", 60.0),
    "tflite": ("model.tflite", 120.0),
    "saved_model": ("model_saved_model.zip", 90.0),
    "graphdef": ("model.pb", 90.0),
    "paddle": ("model_paddle_model.zip", 60.0),
    "ncnn": ("model_ncnn_model.zip", 40.0),
    "edgetpu": ("model_edgetpu.tflite", 180.0),
    "tfjs": ("model_web_model.zip", 150.0),
    "mnn": ("model.mnn", 40.0),
    "rknn": ("model.rknn", 200.0),
    "imx": ("model_imx_model.zip", 300.0),
    "axelera": ("model_axelera_model.zip", 240.0),
    "executorch": ("model.pte", 60.0),
    # Formats the Platform added after the seed's list (they have no reference-face name).
    "coreai": ("model_coreai_model.zip", 60.0),
    "qnn": ("model_qnn_model.zip", 180.0),
    "deepx": ("model_deepx_model.zip", 200.0),
    "hailo": ("model.hef", 300.0),
    "ascend": ("model_ascend_model.zip", 240.0),
    "xilinx": ("model_xilinx_model.zip", 240.0),
}
ACTIVE = ("queued", "running")
PLACEHOLDER_SIZE = 256 * 1024


class Exports:
    def __init__(self, world: World, activity: Activity, webhooks: Webhooks):
        self.world = world
        self.activity = activity
        self.webhooks = webhooks
        # Where a runnable ONNX for models without weights comes from (the emulator
        # wires the bundled network in; the domain knows no inference).
        self.runnable_onnx: Callable[[], Path | None] | None = None
        world.clock.on(EVENT, self._step)

    def create(
        self, account: Account, model_id: str, fmt: str, args: dict[str, Any] | None = None, gpu_type: str | None = None
    ) -> Export:
        """Queue an export; `args` (image size, quantisation, ...) and `gpu_type` are kept as given."""
        if fmt not in ARTIFACTS:
            raise ValidationError(f"Unknown export format '{fmt}'", {"format": f"one of {', '.join(EXPORT_FORMATS)}"})
        w = self.world
        model = fetch(w.models, account, model_id)
        if model.status == "training":
            raise ValidationError("The model is training; export it when training has finished", {"modelId": model_id})
        export = w.create(
            w.exports,
            account.id,
            model_id=model.id,
            model_name=model.name,
            format=fmt,
            file_name=ARTIFACTS[fmt][0],
            args=dict(args or {}),
            gpu_type=gpu_type,
        )
        w.clock.schedule(export.created_at + QUEUE_SECONDS, EVENT, {"accountId": account.id, "exportId": export.id})
        self.activity.record(account, "export.queued", f"Queued export of '{model.name}' to {fmt}", "export", export.id)
        return export

    def in_flight(
        self, account: Account, model_id: str, fmt: str, args: dict[str, Any] | None = None, gpu_type: str | None = None
    ) -> Export | None:
        """A queued or running export of the model to the same format with the same options."""
        rows, _ = self.world.exports(account.id).newest_first(model_id=model_id)
        wanted = dict(args or {})
        return next(
            (e for e in rows if e.status in ACTIVE and e.format == fmt and e.args == wanted and e.gpu_type == gpu_type),
            None,
        )

    def cancel(self, account: Account, export_id: str) -> Export:
        """Stop a queued or running export (a finished one is left as it is)."""
        export = self.get(account, export_id)
        if export.status not in ACTIVE:
            return export
        w = self.world
        w.clock.cancel(lambda due: due.kind == EVENT and due.payload.get("exportId") == export.id)
        export.status, export.completed_at = "cancelled", w.now()
        self.activity.record(
            account,
            "export.cancelled",
            f"Cancelled export of '{export.model_name}' to {export.format}",
            "export",
            export.id,
        )
        return export

    def remove(self, account: Account, export_id: str) -> Export:
        """Delete a finished export and its artifact (an active one must be cancelled first)."""
        export = self.get(account, export_id)
        if export.status in ACTIVE:
            raise StateConflict("The export is still in progress; cancel it first", {"status": export.status})
        self.world.exports(account.id).remove(export.id)
        if export.blob_id is not None:
            self.world.blobs.delete(export.blob_id)
        self.activity.record(
            account,
            "export.deleted",
            f"Deleted export of '{export.model_name}' to {export.format}",
            "export",
            export.id,
        )
        return export

    def get(self, account: Account, export_id: str) -> Export:
        return fetch(self.world.exports, account, export_id)

    def list(self, account: Account, page: int, limit: int, model_id: str | None = None) -> Page[Export]:
        return self.world.exports(account.id).page(page, limit, model_id=model_id)

    def find_any(self, export_id: str) -> Export | None:
        return self.world.exports.find(export_id)

    def download(self, export: Export) -> Grant | None:
        """An hour's access to a completed export's artifact."""
        if export.status != "completed":
            return None
        return grant(BlobRef("export", export.id, export.file_name), self.world.now())

    def stored_bytes(self, account: Account) -> int:
        return sum(e.size for e in self.world.exports(account.id).values() if e.blob_id)

    # -- the clock drives the rest ---------------------------------------------
    def _step(self, payload: dict[str, Any]) -> None:
        w = self.world
        account = w.accounts.get(payload["accountId"])
        export: Export | None = w.exports(payload["accountId"]).get(payload["exportId"])
        if account is None or account.deleted or export is None:
            return
        now = w.now()
        if export.status == "queued":
            export.status = "running"
            export.started_at = now
            w.clock.schedule(now + ARTIFACTS[export.format][1], EVENT, payload)
            return
        if export.status != "running":
            return
        model: Model | None = w.models(account.id).get(export.model_id)
        export.completed_at = now
        error = w.scripts.export_failure(account.id, export.format)
        if model is None:
            error = "The model was deleted before the export finished"
        if error is not None:
            export.status = "failed"
            export.error = error
            self.activity.record(
                account,
                "export.failed",
                f"Export of '{export.model_name}' to {export.format} failed: {error}",
                "export",
                export.id,
            )
            return
        assert model is not None
        blob = self._store_artifact(model, export)
        export.blob_id, export.size, export.status = blob.id, blob.size, "completed"
        self.activity.record(
            account, "export.completed", f"Export of '{model.name}' to {export.format} is ready", "export", export.id
        )
        self.webhooks.emit(account, ExportCompleted.of(export))

    def _store_artifact(self, model: Model, export: Export) -> Blob:
        w = self.world
        if export.format == "onnx" and model.file is None and self.runnable_onnx is not None:
            # A model with no weights answers predict with the bundled network, so its
            # ONNX export is that network: a real file that runs.
            bundled = self.runnable_onnx()
            if bundled is not None:
                return w.blobs.put_file(bundled, "application/octet-stream")
        return w.blobs.put(self._artifact(model, export))

    def _artifact(self, model: Model, export: Export) -> bytes:
        w = self.world
        if export.format == "onnx" and model.file is not None and model.file.format == "onnx":
            return w.blobs.read(model.file.blob_id)
        meta = {
            "producer": "ulmock",
            "model": model.id,
            "name": model.name,
            "task": model.task,
            "format": export.format,
            "names": dict(enumerate(model.class_names)),
        }
        size = model.file.size if model.file is not None else PLACEHOLDER_SIZE
        filler = (b"ulmock export placeholder\n" * (size // 26 + 1))[:size]
        name = export.file_name
        if name.endswith(".zip"):
            stem = name[: -len(".zip")]
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
                zf.writestr(f"{stem}/metadata.yaml", "\n".join(f"{k}: {json.dumps(v)}" for k, v in meta.items()) + "\n")
                zf.writestr(f"{stem}/weights.bin", filler)
            return buf.getvalue()
        return b"ULMOCK-EXPORT " + json.dumps(meta).encode() + b"\n" + filler
