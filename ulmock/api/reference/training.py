"""/api/training and /api/models/{modelId}/training: start, watch and cancel training."""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.reference.requests import StartTraining
from ulmock.api.reference.routes import ReferenceRoutes
from ulmock.api.reference.views import shape
from ulmock.domain.clock import iso
from ulmock.domain.entities import Training
from ulmock.domain.training import Progress


@shape
class TrainingView(TypedDict):
    id: str
    modelId: str
    datasetId: str
    status: Literal["queued", "starting", "running", "completed", "failed", "cancelled"]
    currentEpoch: int
    totalEpochs: int
    percentage: float
    imageSize: int
    gpuType: str
    createdAt: str
    startedAt: str | None
    completedAt: str | None
    elapsedMs: int
    etaMs: int
    epochs: list[dict[str, float]]
    costSoFar: int
    estimatedCost: int
    reservedAmount: int
    error: str | None


def training_view(t: Training, progress: Progress) -> TrainingView:
    return {
        "id": t.id,
        "modelId": t.model_id,
        "datasetId": t.dataset_id,
        "status": t.status,
        "currentEpoch": t.current_epoch,
        "totalEpochs": t.epochs,
        "percentage": progress.percentage,
        "imageSize": t.image_size,
        "gpuType": t.gpu_type,
        "createdAt": iso(t.created_at),
        "startedAt": iso(t.started_at) if t.started_at is not None else None,
        "completedAt": iso(t.finished_at) if t.finished_at is not None else None,
        "elapsedMs": progress.elapsed_ms,
        "etaMs": progress.eta_ms,
        "epochs": [{**e, "epoch": int(e["epoch"])} for e in t.history],
        "costSoFar": t.cost_so_far,
        "estimatedCost": t.estimated_cost,
        "reservedAmount": t.reserved,
        "error": t.error,
    }


routes = ReferenceRoutes("training", scope="training")


@routes.post("/api/training/start", body=StartTraining, response=TrainingView, status=201)
def start_training(call: Call) -> TrainingView:
    """Start training a model on a dataset; the estimated cost is reserved."""
    b, trainings = call.body, call.platform.trainings
    training = trainings.start(call.account, b.modelId, b.datasetId, b.epochs, b.imageSize, b.gpuType)
    return training_view(training, trainings.progress(training))


@routes.get("/api/models/{modelId}/training", response=TrainingView)
def get_training(call: Call) -> TrainingView:
    """Status, progress, per-epoch metrics and cost of the model's latest training."""
    trainings = call.platform.trainings
    training = trainings.latest(call.account, call.params["modelId"])
    return training_view(training, trainings.progress(training))


@routes.delete("/api/models/{modelId}/training", response=TrainingView)
def cancel_training(call: Call) -> TrainingView:
    """Cancel the model's training; GPU time used so far is charged, the rest released."""
    trainings = call.platform.trainings
    training = trainings.cancel(call.account, call.params["modelId"])
    return training_view(training, trainings.progress(training))
