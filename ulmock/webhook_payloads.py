"""The webhook wire format: what each event the domain announces looks like to a receiver.

A message is `{id, type, createdAt, data}` (docs: the emulator's spec, "Webhooks"), with
camelCase keys and ISO 8601 times, sent as compact JSON; that body is what
`ulmock.webhook_delivery` signs and sends, so it is rendered once, when the event
happens, and kept on the delivery byte for byte. The emulator hands `message` to the
domain's `Webhooks` (`Platform(webhook_message=...)`).
"""

from __future__ import annotations

import json
from typing import Any, assert_never

from ulmock.domain.clock import iso, iso_uncached
from ulmock.domain.webhook_events import (
    ExportCompleted,
    Message,
    TrainingCompleted,
    TrainingEpoch,
    TrainingFailed,
    TrainingStarted,
    TrainingState,
    WebhookEvent,
)

__all__ = ["data", "message"]


def message(message_id: str, created_at: float, event: WebhookEvent) -> Message:
    """The payload of one event and the exact body a receiver gets (and verifies the signature of)."""
    # The moment of the message is a one-off time: not one for the stored times' cache.
    payload = {"id": message_id, "type": event.type, "createdAt": iso_uncached(created_at), "data": data(event)}
    return Message(payload, json.dumps(payload, separators=(",", ":")))


def data(event: WebhookEvent) -> dict[str, Any]:
    """The `data` of a message: what the event tells."""
    match event:
        case TrainingStarted(training=t):
            return _training(t)
        case TrainingEpoch(training=t, epoch=epoch, metrics=metrics):
            return {**_training(t), "epoch": epoch, "metrics": dict(metrics)}
        case TrainingCompleted(training=t, metrics=metrics):
            return {**_training(t), "metrics": dict(metrics)}
        case TrainingFailed(training=t, error=error):
            return {**_training(t), "error": error}
        case ExportCompleted():
            return {
                "exportId": event.export_id,
                "modelId": event.model_id,
                "format": event.format,
                "status": event.status,
                "fileName": event.file_name,
                "size": event.size,
                "completedAt": iso(event.completed_at),
            }
        case _:
            assert_never(event)


def _training(t: TrainingState) -> dict[str, Any]:
    return {
        "trainingId": t.training_id,
        "modelId": t.model_id,
        "datasetId": t.dataset_id,
        "status": t.status,
        "currentEpoch": t.current_epoch,
        "totalEpochs": t.total_epochs,
        "gpuType": t.gpu_type,
        "costSoFar": t.cost_so_far,
    }
