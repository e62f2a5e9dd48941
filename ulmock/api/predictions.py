"""Running the inference engine for a request, for every face and the dashboard's playground.

One image through the model's network (or the bundled one) off the event loop; the
engine's errors become the API's (400 for the image or parameters, 503 while the
bundled model is missing or being prepared).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

from ulmock.domain.errors import InternalError, ValidationError
from ulmock.inference import (
    FETCH_COMMAND,
    DeviceUnavailable,
    ImageError,
    InferenceError,
    ModelNotRunnable,
    ModelUnavailable,
    ParameterError,
)

if TYPE_CHECKING:
    from ulmock.emulator import Emulator
    from ulmock.inference import Prediction  # its module loads numpy and onnxruntime
    from ulmock.inference.preparation import ModelPreparation

IMAGE_LIMIT = 20 * 1024 * 1024
FORM_LIMIT = IMAGE_LIMIT + 64 * 1024  # the image, and room for the form's other fields
NETWORK_HEADER = "X-Ulmock-Network"
PREPARING_RETRY_S = 5


async def infer(
    emulator: Emulator, image: bytes, model_file: str | None, conf: float, iou: float, imgsz: int | None
) -> Prediction:
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


async def _predict_preparing(
    emulator: Emulator, image: bytes, model_file: str | None, conf: float, iou: float, imgsz: int | None
) -> Prediction:
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
            {"model": "preparing"},
            status=503,
            headers={"Retry-After": str(PREPARING_RETRY_S)},
        )
    if state == "failed":
        return InternalError(
            f"The bundled model could not be prepared ({preparation.error}); run `{FETCH_COMMAND}`",
            {"fix": FETCH_COMMAND},
            status=503,
        )
    return InternalError(exc.message, {"fix": FETCH_COMMAND}, status=503)
