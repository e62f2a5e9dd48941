"""Predictions from a real YOLO network: a model's predict, and a running deployment's URL.

Both answer the reference's own shape, `{"success": true, "predictions": [...]}` with no
`data`, and say in `X-Ulmock-Network` which network answered: the model's own ONNX
export, its `.pt` through `ultralytics`, or the bundled YOLOv3-tiny for models with no
runnable file.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, Field, WithJsonSchema
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ulmock.api.reference import envelope
from ulmock.domain.errors import ApiError, InternalError, ValidationError
from ulmock.inference import (
    FETCH_COMMAND,
    DeviceUnavailable,
    ImageError,
    InferenceError,
    ModelNotRunnable,
    ModelUnavailable,
    ParameterError,
)
from ulmock.api.routing import Call, Routes

if TYPE_CHECKING:
    from ulmock.emulator import Emulator
    from ulmock.inference import Prediction  # its module loads numpy and onnxruntime
    from ulmock.inference.preparation import ModelPreparation

routes = Routes("predict")
IMAGE_LIMIT = 20 * 1024 * 1024
NETWORK_HEADER = "X-Ulmock-Network"
PREPARING_RETRY_S = 5


class PredictForm(BaseModel):
    """multipart/form-data for predict."""

    file: bytes = Field(json_schema_extra={"format": "binary"}, description="JPEG, PNG, WebP or BMP image")
    conf: float = Field(0.25, ge=0, le=1, description="Confidence threshold")
    iou: float = Field(0.7, ge=0, le=1, description="IoU threshold of non-maximum suppression")
    # Absent means the model's own size; a form field has no null, so none is published.
    imgsz: Annotated[int | None, WithJsonSchema({"type": "integer", "minimum": 32, "maximum": 2048})] = Field(
        None, ge=32, le=2048, description="Inference size (default: the model's)"
    )


class BoxView(BaseModel):
    x1: float
    y1: float
    x2: float
    y2: float


class PredictionView(BaseModel):
    class_: str = Field(alias="class")
    confidence: float
    box: BoxView


class PredictResponse(BaseModel):
    success: Literal[True]
    predictions: list[PredictionView]


async def run_prediction(call: Call, model_file: str | None) -> Prediction:
    """One inference off the event loop; the engine's errors become the API's."""
    form = call.form
    _, image, _ = call.files["file"]
    return await infer(call.emulator, image, model_file, form.conf, form.iou, form.imgsz)


async def infer(emulator: Emulator, image: bytes, model_file: str | None, conf: float, iou: float,
                imgsz: int | None) -> Prediction:  # fmt: skip
    """`image` through the model's network (or the bundled one), for every face and the
    dashboard's playground; the engine's errors become the API's."""
    try:
        return await _predict_preparing(emulator, image, model_file, conf, iou, imgsz)
    except (ImageError, ParameterError) as exc:
        raise ValidationError(exc.message, {getattr(exc, "field", "file"): exc.message}) from None
    except ModelNotRunnable as exc:
        raise ValidationError(f"This model cannot run: {exc.message}", {"modelId": exc.message}) from None
    except ModelUnavailable as exc:
        raise _bundled_model_missing(emulator.model_preparation, exc) from None
    except DeviceUnavailable as exc:
        raise InternalError(exc.message, {"fix": FETCH_COMMAND}, status=503) from None
    except InferenceError as exc:
        raise InternalError(f"Inference failed: {exc.message}") from None


async def _predict_preparing(emulator: Emulator, image: bytes, model_file: str | None, conf: float, iou: float,
                             imgsz: int | None) -> Prediction:  # fmt: skip
    """The engine on one image; the fixture's way with a missing bundled model is to fetch
    it inside the first predict that needs it, then answer."""
    engine = emulator.inference()
    try:
        return await engine.predict_async(image, model_file, conf=conf, iou=iou, imgsz=imgsz)
    except ModelUnavailable:
        preparation = emulator.model_preparation
        if preparation.when != "first-predict" or not await run_in_threadpool(preparation.prepare):
            raise
        return await engine.predict_async(image, model_file, conf=conf, iou=iou, imgsz=imgsz)


def _bundled_model_missing(preparation: ModelPreparation, exc: ModelUnavailable) -> InternalError:
    """The 503 for a predict the bundled model should answer: being prepared, failed to, or never fetched."""
    state = preparation.state()
    if state == "preparing":
        return InternalError(
            "ulmock is preparing the bundled model (a one-time download and conversion); try again in a few seconds",
            {"model": "preparing"}, status=503, headers={"Retry-After": str(PREPARING_RETRY_S)},
        )  # fmt: skip
    if state == "failed":
        return InternalError(
            f"The bundled model could not be prepared ({preparation.error}); run `{FETCH_COMMAND}`",
            {"fix": FETCH_COMMAND}, status=503,
        )  # fmt: skip
    return InternalError(exc.message, {"fix": FETCH_COMMAND}, status=503)


def predictions_response(prediction: Prediction) -> Response:
    headers = {NETWORK_HEADER: prediction.network, "X-Inference-Ms": f"{prediction.inference_ms:.1f}"}
    return envelope.json_response({"success": True, "predictions": prediction.detections}, 200, headers)


@routes.post(
    "/api/models/{modelId}/predict", scope="models", form=PredictForm, raw_response=PredictResponse,
    max_body=IMAGE_LIMIT + 64 * 1024,
)  # fmt: skip
async def predict(call: Call) -> Response:
    """Run the model on an image; boxes are pixels of the original image, best first."""
    with call.emulator.lock:
        model = call.platform.models.get(call.account, call.params["modelId"])
        model_file = call.emulator.model_file_path(model)
    return predictions_response(await run_prediction(call, model_file))


@routes.post(
    "/deployments/{deploymentId}/predict", scope="deployments", form=PredictForm, raw_response=PredictResponse,
    max_body=IMAGE_LIMIT + 64 * 1024,
)  # fmt: skip
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
            p.deployments.record_request(deployment, (time.perf_counter() - started) * 1000, ok=False,
                                         detail=err.message)  # fmt: skip
        raise
    with call.emulator.lock:
        p.deployments.record_request(
            deployment, (time.perf_counter() - started) * 1000, ok=True,
            detail=f"{len(prediction.detections)} detection(s) by {prediction.network}",
        )  # fmt: skip
    return predictions_response(prediction)
