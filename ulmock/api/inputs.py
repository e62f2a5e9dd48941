"""What both faces' request models are built on, and the bodies the `ultralytics` package sends.

`Body` (strict JSON bodies), `Query` (query strings, converted from text) and `JsonInt`
(an integer that may arrive as 5.0) are the bases of every face's request models; the
SDK's training callbacks are served alike by both faces, so their bodies live here too.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ulmock.domain.limits import UPLOAD_LIMIT


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
    """Query strings: values arrive as text and are converted; unknown keys are ignored.
    Frozen: the edge shares one parsed empty query among every call of an operation."""

    model_config = ConfigDict(extra="ignore", frozen=True)


# -- what the `ultralytics` package sends (api/reference/sdk.py, api/platform/training.py) --
# The run's model is named by modelId, or found (or made) from project (+ name).
ONE_OF_MODEL_OR_PROJECT: dict[str, Any] = {
    "anyOf": [
        {"required": ["modelId"], "properties": {"modelId": {"type": "string"}}},
        {"required": ["project"], "properties": {"project": {"type": "string"}}},
    ]
}
CHECKPOINT_NAME = r"^[^/\\]*\.([pP][tT]|[oO][nN][nN][xX])$"  # a plain .pt or .onnx file name
SdkEvent = Literal[
    "training_started",
    "training_progress",
    "epoch_end",
    "system_metrics",
    "console_output",
    "checkpoint_saved",
    "training_complete",
    "training_failed",
]


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
