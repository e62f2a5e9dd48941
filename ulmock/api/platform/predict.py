"""Predict on the live face: a real network, answered as `{images: [...], metadata}`.

The image comes as a multipart `file`, or as `source`: an http(s) URL ulmock fetches, or
the image itself in base64 (a `data:` URI or bare). The network is the one the
reference face's predict uses (the model's ONNX, its `.pt` through `ultralytics`, or the
bundled YOLOv3-tiny); `X-Ulmock-Network` names it. Model predict, deployment predict
and a deployment's own `serviceUrl` all answer through `answer`.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from typing import TYPE_CHECKING, Any, NotRequired

import httpx
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock import __version__
from ulmock.api.operations import Call
from ulmock.api.parsing import validate
from ulmock.api.platform.access import model_at
from ulmock.api.platform.routes import PREDICT, PlatformRoutes
from ulmock.api.platform.vocabulary import Task
from ulmock.api.predictions import FORM_LIMIT, IMAGE_LIMIT, NETWORK_HEADER, infer
from ulmock.api.responses import json_response
from ulmock.domain.entities import Model
from ulmock.domain.errors import ValidationError

if TYPE_CHECKING:
    from ulmock.emulator import Emulator
    from ulmock.inference import Prediction  # its module loads numpy and onnxruntime

routes = PlatformRoutes("Models", category="predict")
FETCH_TIMEOUT = 10.0
DATA_URI = re.compile(r"^data:[\w/+.-]*(;[\w=.-]+)*;base64,", re.IGNORECASE)


class PredictForm(BaseModel):
    """multipart/form-data: the image as `file` or `source`, and the documented ranges."""

    model_config = ConfigDict(extra="ignore")
    file: bytes | None = Field(None, json_schema_extra={"format": "binary"}, description="The image")
    source: str | None = Field(None, min_length=1, description="An http(s) URL of the image, or the image in base64")
    conf: float = Field(0.25, ge=0.01, le=1, description="Confidence threshold")
    iou: float = Field(0.7, ge=0, le=0.95, description="IoU threshold of non-maximum suppression")
    imgsz: int = Field(640, ge=32, le=1280, description="Inference size")
    normalize: bool = Field(False, description="Boxes as fractions of the image's width and height")
    decimals: int = Field(5, ge=0, le=10, description="Decimals of boxes and confidences")


class Box(TypedDict):
    x1: float
    y1: float
    x2: float
    y2: float


# "class" is a Python keyword: the functional form can name it.
PredictResult = TypedDict("PredictResult", {"class": int, "name": str, "confidence": float, "box": Box})


class Speed(TypedDict):
    preprocess: float
    inference: float
    postprocess: float


class PredictImage(TypedDict):
    shape: list[int]
    speed: Speed
    results: list[PredictResult]


class PredictMetadata(TypedDict):
    imageCount: int
    classNames: list[str]
    functionTimeAlive: float
    functionTimeCall: float
    model: str
    task: NotRequired[Task]
    version: dict[str, str]


class PredictAnswer(TypedDict):
    images: list[PredictImage]
    metadata: PredictMetadata


async def read_form(request: Request) -> PredictForm:
    """The predict form, multipart or URL-encoded (the client sends the latter when there is no file)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > FORM_LIMIT:
        raise ValidationError("Request body too large", {"body": f"at most {FORM_LIMIT} bytes"}, status=413)
    ctype = request.headers.get("content-type", "").lower()
    if not ctype and not await request.body():
        return PredictForm()  # no image at all: `image_of` says what to send
    if not ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        raise ValidationError(
            "Content-Type must be multipart/form-data or application/x-www-form-urlencoded",
            {"content-type": ctype or "(none)"},
        )
    values: dict[str, Any] = {}
    try:
        form = await request.form(max_files=2, max_fields=32, max_part_size=FORM_LIMIT)
    except Exception as exc:  # the multipart parser raises several types
        raise ValidationError(f"Malformed form body: {exc}", {"body": "malformed form"}) from None
    try:
        for name, value in form.multi_items():
            values[name] = await value.read() if isinstance(value, UploadFile) else value
    finally:
        await form.close()
    model = validate(PredictForm, values, "form field")
    assert isinstance(model, PredictForm)
    return model


async def image_of(form: PredictForm) -> bytes:
    """The bytes to predict on: the uploaded file, or what `source` holds or points at."""
    if form.file:
        return form.file
    source = (form.source or "").strip()
    if not source:
        raise ValidationError("Send the image as file, or its URL or base64 as source", {"file": "required"})
    if source.lower().startswith(("http://", "https://")):
        return await fetch(source)
    encoded = DATA_URI.sub("", source, count=1)
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("source must be an http(s) URL or a base64 image", {"source": source[:80]}) from None


async def fetch(url: str) -> bytes:
    try:
        async with (
            httpx.AsyncClient(timeout=FETCH_TIMEOUT, follow_redirects=True) as http,
            http.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise ValidationError(f"source answered HTTP {response.status_code}", {"source": url[:200]})
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > IMAGE_LIMIT:
                    raise ValidationError(
                        "source image is too large", {"source": f"at most {IMAGE_LIMIT} bytes"}, status=413
                    )
            return bytes(data)
    except httpx.HTTPError as exc:
        raise ValidationError(f"source could not be fetched: {type(exc).__name__}", {"source": url[:200]}) from None


def shaped(prediction: Prediction, form: PredictForm, model: str, task: str, alive_s: float) -> PredictAnswer:
    width, height = prediction.image_size
    scale_x, scale_y = (1 / width, 1 / height) if form.normalize else (1.0, 1.0)
    digits = form.decimals

    def box(b: dict[str, float]) -> Box:
        return Box(
            x1=round(b["x1"] * scale_x, digits),
            y1=round(b["y1"] * scale_y, digits),
            x2=round(b["x2"] * scale_x, digits),
            y2=round(b["y2"] * scale_y, digits),
        )

    results = [
        PredictResult(
            {"class": cid, "name": d["class"], "confidence": round(d["confidence"], digits), "box": box(d["box"])}
        )
        for cid, d in zip(prediction.class_ids, prediction.detections, strict=True)
    ]
    speed = prediction.speed_ms
    image = PredictImage(
        shape=[height, width],
        # Decoding the image is part of preprocessing.
        speed=Speed(
            preprocess=round(speed.get("decode", 0.0) + speed.get("preprocess", 0.0), 3),
            inference=speed.get("inference", 0.0),
            postprocess=speed.get("postprocess", 0.0),
        ),
        results=results,
    )
    names = prediction.class_names
    metadata = PredictMetadata(
        imageCount=1,
        classNames=[names[i] for i in sorted(names)],
        functionTimeAlive=round(alive_s, 3),
        functionTimeCall=round(prediction.inference_ms / 1000, 4),
        model=model,
        version={"ulmock": __version__, "network": prediction.network},
    )
    if task in ("detect", "segment", "semantic", "depth", "classify", "pose", "obb"):
        metadata["task"] = task  # type: ignore[typeddict-item]
    return PredictAnswer(images=[image], metadata=metadata)


async def answer(emulator: Emulator, request: Request, model: Model, label: str) -> tuple[Response, Prediction]:
    """Run `model` on the image the request's form sends; the answer, and the prediction (for a
    deployment's records). The form is read here, not by the edge, whose reader takes multipart only."""
    form = await read_form(request)
    image = await image_of(form)
    with emulator.lock:
        model_file = emulator.model_file_path(model)
    prediction = await infer(emulator, image, model_file, form.conf, form.iou, form.imgsz)
    alive = time.monotonic() - emulator.inference().started_at
    body = shaped(prediction, form, label, model.task, alive)
    headers = {NETWORK_HEADER: prediction.network, "X-Inference-Ms": f"{prediction.inference_ms:.1f}"}
    return json_response(body, 200, headers), prediction


@routes.post("/api/models/{owner}/{project}/{model}/predict", response=PredictAnswer, errors=PREDICT)
async def predict(call: Call) -> Response:
    """Run the model on an image (`file`, or `source` URL/base64); boxes in image pixels (or fractions), best first."""
    with call.emulator.lock:
        _, model = model_at(call)
    owner, project, slug = call.params["owner"], call.params["project"], call.params["model"]
    response, _ = await answer(call.emulator, call.request, model, f"{owner}/{project}/{slug}")
    return response
