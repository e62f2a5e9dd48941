"""Predictions from a real YOLO network: a model's predict, and a running deployment's URL.

Both answer the reference's own shape, `{"success": true, "predictions": [...]}` with no
`data`, and say in `X-Ulmock-Network` which network answered: the model's own ONNX
export, its `.pt` through `ultralytics`, or the bundled YOLOv3-tiny for models with no
runnable file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Literal, cast

from pydantic import BaseModel, Field, WithJsonSchema
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call, Handler
from ulmock.api.predictions import FORM_LIMIT, NETWORK_HEADER, infer
from ulmock.api.reference.routes import ReferenceRoutes
from ulmock.api.responses import json_response
from ulmock.domain.errors import ApiError, ValidationError

if TYPE_CHECKING:
    from ulmock.inference import Prediction  # its module loads numpy and onnxruntime

routes = ReferenceRoutes("predict")


class PredictForm(BaseModel):
    """multipart/form-data for predict."""

    file: bytes = Field(json_schema_extra={"format": "binary"}, description="JPEG, PNG, WebP or BMP image")
    conf: float = Field(0.25, ge=0, le=1, description="Confidence threshold")
    iou: float = Field(0.7, ge=0, le=1, description="IoU threshold of non-maximum suppression")
    # Absent means the model's own size; a form field has no null, so none is published.
    imgsz: Annotated[int | None, WithJsonSchema({"type": "integer", "minimum": 32, "maximum": 2048})] = Field(
        None, ge=32, le=2048, description="Inference size (default: the model's)"
    )


# Published without `additionalProperties: false`, as the reference documents them.
class BoxView(TypedDict):
    x1: float
    y1: float
    x2: float
    y2: float


PredictionView = TypedDict("PredictionView", {"class": str, "confidence": float, "box": BoxView})


class PredictResponse(TypedDict):
    success: Literal[True]
    predictions: list[PredictionView]


def predicts(path: str, scope: str) -> Callable[[Handler], Handler]:
    """Declares a predict endpoint: both take the same form and answer the same shape."""
    return routes.post(path, scope=scope, form=PredictForm, raw_response=PredictResponse, max_body=FORM_LIMIT)


async def run_prediction(call: Call, model_file: str | None) -> Prediction:
    """One inference off the event loop; the engine's errors become the API's."""
    form = call.form
    _, image, _ = call.files["file"]
    return await infer(call.emulator, image, model_file, form.conf, form.iou, form.imgsz)


def predictions_response(prediction: Prediction) -> Response:
    headers = {NETWORK_HEADER: prediction.network, "X-Inference-Ms": f"{prediction.inference_ms:.1f}"}
    # the engine shapes the detections (ulmock.inference.prediction.api_detections)
    answer: PredictResponse = {"success": True, "predictions": cast(list[PredictionView], prediction.detections)}
    return json_response(answer, 200, headers)


@predicts("/api/models/{modelId}/predict", scope="models")
async def predict(call: Call) -> Response:
    """Run the model on an image; boxes are pixels of the original image, best first."""
    with call.emulator.lock:
        model = call.platform.models.get(call.account, call.params["modelId"])
        model_file = call.emulator.model_file_path(model)
    return predictions_response(await run_prediction(call, model_file))


@predicts("/deployments/{deploymentId}/predict", scope="deployments")
async def predict_deployment(call: Call) -> Response:
    """A running deployment's endpoint: the same predictions, counted in its metrics and logs."""
    p = call.platform
    with call.emulator.lock:
        deployment = p.deployments.get(call.account, call.params["deploymentId"])
        if deployment.status != "running":
            p.deployments.record_request(deployment, 0.0, ok=False, detail=f"not running ({deployment.status})")
            raise ValidationError(
                f"Deployment is not running (status: {deployment.status})", {"status": deployment.status}
            )
        model = p.world.models(call.account.id).get(deployment.model_id)
        model_file = call.emulator.model_file_path(model) if model is not None else None
    started = time.perf_counter()
    try:
        prediction = await run_prediction(call, model_file)
    except ApiError as err:
        with call.emulator.lock:
            p.deployments.record_request(
                deployment, (time.perf_counter() - started) * 1000, ok=False, detail=err.message
            )
        raise
    with call.emulator.lock:
        p.deployments.record_request(
            deployment,
            (time.perf_counter() - started) * 1000,
            ok=True,
            detail=f"{len(prediction.detections)} detection(s) by {prediction.network}",
        )
    return predictions_response(prediction)
