"""Request models: they validate what clients send and describe it in the OpenAPI spec."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue, WithJsonSchema

from ulmock.domain.catalogue import CHECKOUT_MAX_USD, CHECKOUT_MIN_USD, TASKS
from ulmock.domain.limits import UPLOAD_LIMIT

Task = Literal["detect", "segment", "classify", "pose", "obb"]
Scope = Literal["datasets", "projects", "models", "training", "deployments", "exports", "account"]


# A name: 1..100 characters, not only whitespace, no control characters (what the domain
# enforces, stated in the schema so clients and fuzzers know it).
NAME_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
ISO_DATE: dict[str, JsonValue] = {"anyOf": [{"type": "string", "format": "date", "maxLength": 64}, {"type": "string", "format": "date-time", "maxLength": 64}]}


def _whole_float(value: Any) -> Any:
    """JSON Schema counts 5.0 as an integer; strict pydantic would refuse it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonInt = Annotated[int, BeforeValidator(_whole_float)]


class Body(BaseModel):
    """JSON bodies: types are strict (no "5" for 5), unknown fields are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


class Query(BaseModel):
    """Query strings: values arrive as text and are converted; unknown keys are ignored."""

    model_config = ConfigDict(extra="ignore")


class PageQuery(Query):
    page: int = Field(1, ge=1, description="Page number, from 1")
    limit: int = Field(20, ge=1, le=100, description="Items per page, 1..100")


class DatasetListQuery(PageQuery):
    task: Task | None = None


class ModelListQuery(PageQuery):
    projectId: str | None = Field(None, max_length=200)
    task: Task | None = None


class ActivityQuery(PageQuery):
    startDate: str | None = Field(None, max_length=64, description="ISO 8601 date or time", json_schema_extra=ISO_DATE)
    endDate: str | None = Field(None, max_length=64, description="ISO 8601 date or time", json_schema_extra=ISO_DATE)
    search: str | None = Field(None, max_length=200, description="Substring of the message")
    archived: bool = Field(False, description="Include archived events")


class CreateDataset(Body):
    name: str = Field(min_length=1, max_length=100, pattern=NAME_PATTERN)
    task: Task
    description: str | None = Field(None, max_length=1000)


class CreateProject(Body):
    name: str = Field(min_length=1, max_length=100, pattern=NAME_PATTERN)
    description: str | None = Field(None, max_length=1000)


class UploadModelForm(BaseModel):
    """multipart/form-data for POST /api/models."""

    file: bytes = Field(json_schema_extra={"format": "binary"}, description="A .pt or .onnx model file")
    projectId: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=100, pattern=NAME_PATTERN)
    # Absent means "read it from the file"; a form field has no null, so none is published.
    task: Annotated[Task | None, WithJsonSchema({"enum": list(TASKS)})] = None


class EventIds(Body):
    ids: list[str] | None = Field(None, max_length=1000, description="Event ids; omit for all events")


class RestoreTrashItem(Body):
    itemId: str = Field(min_length=1, max_length=200)
    type: Literal["project", "dataset", "model", "deployment"]


class CheckoutRequest(Body):
    amount: JsonInt = Field(ge=CHECKOUT_MIN_USD, le=CHECKOUT_MAX_USD, description="USD")


class GdprRequest(Body):
    action: Literal["export", "delete"]


class CreateApiKey(Body):
    name: str = Field(min_length=1, max_length=100, pattern=NAME_PATTERN)
    scopes: list[Scope] | None = Field(None, max_length=7)


# -- training, exports, deployments ------------------------------------------------


class StartTraining(Body):
    modelId: str = Field(min_length=1, max_length=200)
    datasetId: str = Field(min_length=1, max_length=200)
    epochs: JsonInt = Field(ge=1, le=1000)
    imageSize: JsonInt = Field(640, ge=32, le=2048, multiple_of=32)
    gpuType: str = Field(min_length=1, max_length=64, description="A GPU id from the catalogue")


class CreateExport(Body):
    modelId: str = Field(min_length=1, max_length=200)
    format: Literal[
        "onnx", "torchscript", "openvino", "tensorrt", "coreml", "tflite", "saved_model", "graphdef", "paddle",
        "ncnn", "edgetpu", "tfjs", "mnn", "rknn", "imx", "axelera", "executorch",
    ]  # fmt: skip


class ExportListQuery(PageQuery):
    modelId: str | None = Field(None, max_length=200)


class DeploymentListQuery(PageQuery):
    modelId: str | None = Field(None, max_length=200)


class CreateDeployment(Body):
    modelId: str = Field(min_length=1, max_length=200)
    region: str = Field(min_length=1, max_length=64, description="A region id from the catalogue")
    minInstances: JsonInt = Field(0, ge=0, le=100)
    maxInstances: JsonInt = Field(1, ge=1, le=100)


class DeploymentLogsQuery(Query):
    severity: Literal["info", "warning", "error"] | None = None
    limit: int = Field(100, ge=1, le=1000)


# -- what the `ultralytics` package sends (resources/sdk.py) ----------------------------
# The run's model is named by modelId, or found (or made) from project (+ name).
ONE_OF_MODEL_OR_PROJECT: dict[str, Any] = {
    "anyOf": [
        {"required": ["modelId"], "properties": {"modelId": {"type": "string"}}},
        {"required": ["project"], "properties": {"project": {"type": "string"}}},
    ]
}
CHECKPOINT_NAME = r"^[^/\\]*\.([pP][tT]|[oO][nN][nN][xX])$"  # a plain .pt or .onnx file name
SdkEvent = Literal["training_started", "training_progress", "epoch_end", "system_metrics", "console_output",
                   "checkpoint_saved", "training_complete", "training_failed"]  # fmt: skip


class TrainingReport(Body):
    """`POST /api/webhooks/training/metrics`: the first event names project and name, later ones modelId."""

    model_config = ConfigDict(json_schema_extra=ONE_OF_MODEL_OR_PROJECT)
    modelId: str | None = Field(None, min_length=1, max_length=200)
    project: str | None = Field(None, min_length=1, max_length=200, description="user/project-slug, or a slug")
    name: str | None = Field(None, min_length=1, max_length=128, description="The model's slug (default train)")
    event: SdkEvent
    data: dict[str, Any] = Field(default_factory=dict)


class CheckpointUploadRequest(Body):
    model_config = ConfigDict(json_schema_extra=ONE_OF_MODEL_OR_PROJECT)

    filename: str = Field(min_length=1, max_length=255, pattern=CHECKPOINT_NAME)
    modelId: str | None = Field(None, min_length=1, max_length=200)
    project: str | None = Field(None, min_length=1, max_length=200)
    name: str | None = Field(None, min_length=1, max_length=128)
    # The bound sits inside the integer's own annotation, so the schema publishes it as
    # `minimum` (outside the validator pydantic would write a bare, meaningless `ge`).
    runId: Annotated[int, Field(ge=0), BeforeValidator(_whole_float)] | None = None
    size: float | None = Field(None, ge=0, le=UPLOAD_LIMIT)
