"""The live contract's shared words: the literals and body fields several areas use.

One definition each, so a task, a region or a length limit is changed in one place.
They render inline in /openapi.json (an enum, a string with limits), never as
components of their own, so where they are declared does not show in the document.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ulmock.api.inputs import Body
from ulmock.domain.catalogue import PlanName
from ulmock.domain.errors import ValidationError

Plan = PlanName  # the contract names plans as the domain does
Region = Literal["us", "eu", "ap"]
Task = Literal["detect", "segment", "semantic", "depth", "classify", "pose", "obb"]
NewTask = Literal["detect", "segment", "classify", "pose", "obb"]  # what a new dataset or model may be
Visibility = Literal["public", "private"]
Split = Literal["train", "val", "test"]
TrueFalse = Literal["true", "false"]
# The cloud GPUs a run is trained on (the export face adds the Jetson boards to them).
CloudGpu = Literal[
    "rtx-2000-ada",
    "rtx-a4500",
    "rtx-a5000",
    "rtx-4000-ada",
    "l4",
    "a40",
    "rtx-3090",
    "rtx-a6000",
    "rtx-pro-4000",
    "rtx-pro-4500",
    "rtx-4090",
    "rtx-6000-ada",
    "l40s",
    "rtx-pro-5000",
    "rtx-5090",
    "l40",
    "a100-80gb-pcie",
    "a100-80gb-sxm",
    "rtx-pro-6000",
    "h100-pcie",
    "h100-nvl",
    "h100-sxm",
    "h200-nvl",
    "h200-sxm",
    "b200",
    "b300",
]

# Body fields of a described record (project, dataset, model, deployment, copies of them).
Slug = Annotated[str, Field(min_length=1, max_length=128)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Description = Annotated[str, Field(max_length=1000)]
Tags = Annotated[list[str], Field(max_length=20)]
ClassNames = Annotated[list[str], Field(max_length=1000)]
Metadata = dict[str, Any]


class LenientBody(BaseModel):
    """The curation and auto-annotation bodies: unknown fields ignored, and (unlike `Body`)
    pydantic's lax mode, as these areas have always validated."""

    model_config = ConfigDict(extra="ignore")


class RecordChanges(Body):
    # What PATCH changes on a project or a dataset (no docstring: it would become theirs).
    starred: bool | None = None
    name: Name | None = None
    description: Description | None = None
    metadata: Metadata | None = None
    visibility: Visibility | None = None
    tags: Tags | None = None

    def changes(self) -> dict[str, Any]:
        """The fields sent, but the name (the domain takes it apart); 400 when none is, or one is null."""
        changes = self.model_dump(exclude_unset=True, exclude={"name"})
        if not changes and self.name is None:
            raise ValidationError("Nothing to update", {"body": "give at least one field"})
        for key in [k for k, v in changes.items() if v is None]:
            raise ValidationError(f"Invalid request body: {key} must not be null", {key: "null"})
        return changes
