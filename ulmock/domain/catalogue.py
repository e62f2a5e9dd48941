"""Static facts of the Platform: plans and their limits, GPUs, regions, export formats.

Read once at import; nothing here changes at run time (enterprise accounts carry their
own overrides on the account itself).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Literal, get_args

# Each vocabulary once, as a Literal for request models and a tuple for the rules.
PlanName = Literal["free", "pro", "enterprise"]
PLANS: tuple[PlanName, ...] = get_args(PlanName)
Task = Literal["detect", "segment", "classify", "pose", "obb"]
TASKS: tuple[Task, ...] = get_args(Task)
GB = 1024**3


@dataclass(frozen=True)
class Plan:
    name: PlanName
    requests_per_minute: int
    requests_per_day: int
    models: int
    concurrent_trainings: int
    deployments: int
    storage_bytes: int
    webhooks: bool
    monthly_price_usd: int


PLAN_LIMITS: dict[str, Plan] = {
    "free": Plan("free", 60, 1_000, 100, 3, 3, 100 * GB, False, 0),
    "pro": Plan("pro", 300, 50_000, 500, 10, 10, 500 * GB, False, 29),
    # Enterprise is "custom": these are the defaults when a scenario sets nothing.
    "enterprise": Plan("enterprise", 10_000, 10_000_000, 10_000, 100, 100, 10_000 * GB, True, 0),
}

SIGNUP_CREDIT_MICRO = 5_000_000
CHECKOUT_MIN_USD = 5
CHECKOUT_MAX_USD = 1000
MICRO = 1_000_000


def usd_to_micro(usd: float) -> int:
    """Dollars to whole micro-USD, rounded to the nearest: `int(2.01 * MICRO)` would give 2,009,999."""
    return round(usd * MICRO)


@dataclass(frozen=True)
class Gpu:
    id: str
    usd_per_hour: float | None
    memory_gb: int
    pro_only: bool = False


# The price list lives beside this module as data (one GPU a row, as catalogue.md lists
# them), where a price change is a one-line edit.
GPUS: dict[str, Gpu] = {
    g.id: g for g in (Gpu(**row) for row in json.loads(files("ulmock.domain").joinpath("gpus.json").read_text()))
}

# The GCP regions a deployment may run in, in the Platform contract's order (its create-deployment
# `region` enum): the live face declares them as that enum, so the order is the contract's, not ours.
REGIONS: tuple[str, ...] = (
    "asia-east1",
    "asia-northeast1",
    "asia-northeast2",
    "asia-south1",
    "asia-southeast3",
    "europe-north1",
    "europe-north2",
    "europe-southwest1",
    "europe-west1",
    "europe-west4",
    "europe-west8",
    "europe-west9",
    "me-west1",
    "northamerica-south1",
    "us-central1",
    "us-east1",
    "us-east4",
    "us-east5",
    "us-south1",
    "us-west1",
    "africa-south1",
    "asia-east2",
    "asia-northeast3",
    "asia-southeast1",
    "asia-southeast2",
    "asia-south2",
    "australia-southeast1",
    "australia-southeast2",
    "europe-central2",
    "europe-west10",
    "europe-west12",
    "europe-west2",
    "europe-west3",
    "europe-west6",
    "me-central1",
    "northamerica-northeast1",
    "northamerica-northeast2",
    "southamerica-east1",
    "southamerica-west1",
    "us-west2",
    "us-west3",
    "us-west4",
)

ExportFormat = Literal[
    "onnx",
    "torchscript",
    "openvino",
    "tensorrt",
    "coreml",
    "tflite",
    "saved_model",
    "graphdef",
    "paddle",
    "ncnn",
    "edgetpu",
    "tfjs",
    "mnn",
    "rknn",
    "imx",
    "axelera",
    "executorch",
]
EXPORT_FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)

SCOPES: tuple[str, ...] = ("datasets", "projects", "models", "training", "deployments", "exports", "account")
