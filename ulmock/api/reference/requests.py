"""The reference face's request models: they validate what clients send and describe it in the OpenAPI spec."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, JsonValue, WithJsonSchema

from ulmock.api.inputs import Body, JsonInt, Query
from ulmock.domain.catalogue import CHECKOUT_MAX_USD, CHECKOUT_MIN_USD, TASKS, ExportFormat, Task

Scope = Literal["datasets", "projects", "models", "training", "deployments", "exports", "account"]


# A name: 1..100 characters, not only whitespace, no control characters (what the domain
# enforces, stated in the schema so clients and fuzzers know it).
NAME_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
ISO_DATE: dict[str, JsonValue] = {
    "anyOf": [
        {"type": "string", "format": "date", "maxLength": 64},
        {"type": "string", "format": "date-time", "maxLength": 64},
    ]
}


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
    format: ExportFormat


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
