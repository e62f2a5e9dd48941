"""/api/training and /api/models/{modelId}/training: start, watch and cancel training."""

from __future__ import annotations

from starlette.responses import Response

from ulmock.api.reference import envelope
from ulmock.api.routing import Call, Routes
from ulmock.api.schemas import StartTraining
from ulmock.api.reference.views import TrainingView, training_view

routes = Routes("training")
SCOPE = "training"


@routes.post("/api/training/start", scope=SCOPE, body=StartTraining, response=TrainingView, status=201)
def start_training(call: Call) -> Response:
    """Start training a model on a dataset; the estimated cost is reserved."""
    b, trainings = call.body, call.platform.trainings
    training = trainings.start(call.account, b.modelId, b.datasetId, b.epochs, b.imageSize, b.gpuType)
    return envelope.ok(training_view(training, trainings.progress(training)), 201)


@routes.get("/api/models/{modelId}/training", scope=SCOPE, response=TrainingView)
def get_training(call: Call) -> Response:
    """Status, progress, per-epoch metrics and cost of the model's latest training."""
    trainings = call.platform.trainings
    training = trainings.latest(call.account, call.params["modelId"])
    return envelope.ok(training_view(training, trainings.progress(training)))


@routes.delete("/api/models/{modelId}/training", scope=SCOPE, response=TrainingView)
def cancel_training(call: Call) -> Response:
    """Cancel the model's training; GPU time used so far is charged, the rest released."""
    trainings = call.platform.trainings
    training = trainings.cancel(call.account, call.params["modelId"])
    return envelope.ok(training_view(training, trainings.progress(training)))
