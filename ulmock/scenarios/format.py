"""What a scenario file may say. Unknown keys and wrong types are errors."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ulmock.api.faults import FaultSpec
from ulmock.domain.catalogue import REGIONS, SCOPES, ExportFormat, PlanName, Task

API_KEY = r"^ul_[0-9a-f]{40}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ClockSpec(Strict):
    start: str | None = Field(None, description="ISO time the emulated clock starts at (default: now)")
    mode: Literal["manual", "realtime"] = "realtime"
    speed: float = Field(1.0, gt=0)


class ApiKeySpec(Strict):
    key: str = Field(pattern=API_KEY)
    name: str = "default"
    scopes: list[Literal[SCOPES]] | None = None  # type: ignore[valid-type]


class RateLimitSpec(Strict):
    perMinute: int = Field(ge=1)
    perDay: int = Field(ge=1)


class GeneratedImages(Strict):
    images: int = Field(ge=1, le=2000)
    classes: list[str] = Field(min_length=1, max_length=20)
    size: int = Field(256, ge=32, le=2048)
    seed: int = 0
    valFraction: float = Field(0.25, ge=0, lt=1)


class DatasetSpec(Strict):
    name: str = Field(min_length=1, max_length=100)
    task: Task = "detect"
    description: str = ""
    visibility: Literal["private", "public"] = "private"
    fixture: str | None = Field(None, description="a dataset folder beside the scenario, else in fixtures/datasets/")
    generate: GeneratedImages | None = None
    classNames: list[str] | None = None

    @model_validator(mode="after")
    def one_source(self) -> DatasetSpec:
        if self.fixture and self.generate:
            raise ValueError("a dataset takes images from 'fixture' or 'generate', not both")
        if (self.fixture or self.generate) and self.task != "detect":
            raise ValueError("images from fixtures or generation are detect datasets")
        return self


class ModelSpec(Strict):
    name: str = Field(min_length=1, max_length=100)
    task: Task = "detect"
    file: str | None = Field(None, description="a .pt or .onnx beside the scenario file, else under fixtures/")
    classNames: list[str] = []
    status: Literal["ready", "failed"] = "ready"
    metrics: dict[str, float] = {}


class ProjectSpec(Strict):
    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    models: list[ModelSpec] = []


class TrainingSpec(Strict):
    """A training already under way when the world starts."""

    model: str = Field(description="project/model name of this account")
    dataset: str = Field(description="dataset name of this account")
    epochs: int = Field(50, ge=1, le=1000)
    imageSize: int = Field(640, ge=32, le=2048, multiple_of=32)
    gpuType: str = "rtx-4090"


class DeploymentSpec(Strict):
    model: str = Field(description="project/model name of this account")
    region: Literal[REGIONS]  # type: ignore[valid-type]
    minInstances: int = Field(0, ge=0)
    maxInstances: int = Field(1, ge=1)


class WebhookSpec(Strict):
    url: str = Field(pattern=r"^https?://")
    events: list[str] | None = None
    secret: str | None = Field(None, pattern=r"^whsec_[A-Za-z0-9+/=]+$")


class BucketSpec(Strict):
    """A bucket of the account's emulated cloud, its objects the files of a folder."""

    provider: Literal["gcs", "s3", "azure"]
    name: str = Field(min_length=3, max_length=63, description="bucket or container name")
    folder: str = Field(min_length=1, description="folder under fixtures/ (or an absolute path)")


class AccountSpec(Strict):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    plan: PlanName = "free"
    email: str | None = None
    balance: float = Field(0, ge=0, description="cash, USD")
    credit: float = Field(5, ge=0, description="credit, USD (sign-up credit by default)")
    apiKeys: list[ApiKeySpec] = []
    rateLimits: RateLimitSpec | None = None
    usedToday: int = Field(0, ge=0, description="requests already counted against today's quota")
    projects: list[ProjectSpec] = []
    datasets: list[DatasetSpec] = []
    trainings: list[TrainingSpec] = []
    deployments: list[DeploymentSpec] = []
    webhooks: list[WebhookSpec] = []
    buckets: list[BucketSpec] = []


class TrainingFailureSpec(Strict):
    account: str
    model: str = Field(description="project/model")
    failAtEpoch: int = Field(ge=1)
    error: str = "CUDA out of memory"


class ExportFailureSpec(Strict):
    format: ExportFormat
    account: str | None = None
    error: str = "Export failed"


class DeploymentStuckSpec(Strict):
    region: Literal[REGIONS] | None = None  # type: ignore[valid-type]
    account: str | None = None
    error: str | None = Field(None, description="fail with this error instead of hanging in 'deploying'")


class Behaviours(Strict):
    trainings: list[TrainingFailureSpec] = []
    exports: list[ExportFailureSpec] = []
    deployments: list[DeploymentStuckSpec] = []
    routes: list[FaultSpec] = []


class RoboflowVersionSpec(Strict):
    version: int = Field(ge=1)
    name: str = ""
    fixture: str = Field(min_length=1, description="folder under fixtures/datasets/ (YOLO images and labels)")


class RoboflowProjectSpec(Strict):
    id: str = Field(min_length=1, max_length=128, description="the project's id in Roboflow URLs")
    name: str = Field(min_length=1, max_length=100)
    type: str = Field("object-detection", description="Roboflow's project type")
    versions: list[RoboflowVersionSpec] = []


class RoboflowWorkspaceSpec(Strict):
    """A workspace of the emulated Roboflow catalogue, opened by `apiKey`."""

    apiKey: str = Field(min_length=8, max_length=128)
    workspace: str = Field(min_length=1, max_length=128, description="the workspace's URL name")
    name: str = Field(min_length=1, max_length=100)
    projects: list[RoboflowProjectSpec] = []


class Scenario(Strict):
    description: str = Field(min_length=1)
    api: Literal["reference", "platform"] | None = Field(
        None, description="the HTTP face to serve (default: the emulator's, which defaults to reference)"
    )
    seed: int = 0
    signingKey: str | None = Field(
        None,
        min_length=16,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="pins the key of signed URLs, so they are the same on every run; anyone "
        "who reads the scenario can then forge them (default: random for each emulator)",
    )
    clock: ClockSpec = Field(default_factory=ClockSpec)
    accounts: list[AccountSpec] = Field(min_length=1)
    behaviours: Behaviours = Field(default_factory=Behaviours)
    roboflow: list[RoboflowWorkspaceSpec] = Field(default_factory=list, description="the emulated Roboflow catalogue")
