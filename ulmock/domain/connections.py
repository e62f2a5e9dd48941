"""Records of what a workspace connects to and works out: cloud buckets, storage integrations,
follows, agents, dataset analyses, batch annotation runs, the emulated Roboflow catalogue.

Plain records, like `entities`; the rules that use them live in `cloud.py`, `follows.py`,
`workflows.py`, `analysis.py`, `batches.py` and `roboflow.py`. Kept apart so those areas can
grow without touching the core records every other area shares.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ulmock.domain.entities import Record

Provider = Literal["gcs", "s3", "azure"]


class Bucket(Record):
    """A bucket (or Azure container) in the emulated cloud of one workspace.

    Its objects come from a folder on disk a scenario names (`folder`, read when listed,
    never copied) or were put through the control API (`objects`: key -> blob id).
    """

    id: str
    account_id: str
    provider: Provider
    name: str
    folder: str | None = None
    objects: dict[str, str] = Field(default_factory=dict)
    created_at: float


class StorageIntegration(Record):
    """Saved access to some of the workspace's buckets. The secret itself is never kept."""

    id: str
    account_id: str
    provider: Provider
    credential_identity: str
    targets: list[str]
    processing: bool = True
    created_at: float


class Follow(Record):
    id: str
    account_id: str  # the follower
    followed_id: str
    created_at: float


class Workflow(Record):
    """An agent: a graph of blocks the Agents canvas runs; `version` counts saves."""

    id: str
    account_id: str
    name: str
    version: int
    graph: dict[str, Any]
    created_at: float
    updated_at: float


class DatasetAnalysis(Record):
    """An embedding analysis of a dataset: a job on the clock, then descriptors per image content
    hash, a 2-D layout of them and clusters (`ulmock.domain.analysis`)."""

    id: str
    account_id: str
    dataset_id: str
    status: Literal["queued", "running", "completed", "failed", "cancelled"] = "queued"
    total: int
    created_at: float
    started_at: float | None = None
    finishes_at: float | None = None
    finished_at: float | None = None
    images_at: float  # the dataset's updated_at when the analysis began
    vectors: dict[str, list[float]] = Field(default_factory=dict)
    layout: dict[str, list[float]] = Field(default_factory=dict)
    clusters: dict[str, int] = Field(default_factory=dict)
    failed: int = 0


class PlannedLabels(Record):
    """What the network found in one image of a batch run, in the dataset's classes."""

    file: str
    boxes: list[list[float]]
    confidences: list[float]


class BatchRun(Record):
    """An auto-annotation run over a dataset (`ulmock.domain.batches`)."""

    id: str
    account_id: str
    dataset_id: str
    model: str  # the ul:// reference it ran
    confidence: float
    iou: float
    include_annotated: bool = False
    status: Literal["queued", "running", "completed", "cancelled", "failed"] = "queued"
    planned: list[PlannedLabels] = Field(default_factory=list)
    applied: int = 0
    annotations: int = 0
    classes: list[int] = Field(default_factory=list)
    version: int | None = None  # the dataset version saved before labelling
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    dismissed: bool = False


class RoboflowVersion(Record):
    number: int
    name: str = ""
    folder: str  # a YOLO fixture folder (data.yaml, images/, labels/)
    image_count: int
    size_bytes: int


class RoboflowProject(Record):
    id: str
    name: str
    type: str  # Roboflow's project type: object-detection, instance-segmentation, ...
    versions: list[RoboflowVersion] = Field(default_factory=list)


class RoboflowWorkspace(Record):
    """A workspace of the emulated Roboflow catalogue a scenario declares, opened by its API key."""

    id: str
    api_key: str
    url: str
    name: str
    projects: list[RoboflowProject] = Field(default_factory=list)
