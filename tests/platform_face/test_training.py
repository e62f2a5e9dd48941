"""Training through the official client: GPU stock, cloud runs, a model's run, SDK reports.

The demo world's acme-vision (pro, $120) has the detector `street-detector-v1`, the
dataset `street-scenes` and a cloud run of `street-detector-v2` under way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused, typed
from tests.test_projects_models import torch_checkpoint
from ulmock.api.platform.ids import public_id
from ulmock.domain.catalogue import GPUS
from ulmock.scenarios import fixed_key
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")
ACME = "acme-vision"
PROJECT = "traffic-analytics"
DATA = f"ul://{ACME}/datasets/street-scenes"


@pytest.fixture
def acme(ulmock: Ulmock) -> Iterator[Platform]:
    with Platform(api_key=fixed_key(ACME), base_url=ulmock.url, max_retries=0) as platform:
        yield platform


def model_id(ulmock: Ulmock, slug: str, username: str = ACME) -> str:
    """The face's id of a model (what models.list shows), read from the world."""
    with ulmock.emulator.lock:
        account = ulmock.platform.accounts.by_username(username)
        model = next(m for m in ulmock.platform.world.models(account.id).values() if m.slug == slug)
        return public_id(model.id)


def start(acme: Platform, ulmock: Ulmock, slug: str = "street-detector-v1", **args: Any) -> Any:
    train_args = {"model": "yolo11n.pt", "data": DATA, "epochs": 3, "imgsz": 320, "batch": 8, **args}
    return acme.training.start(model_id=model_id(ulmock, slug), train_args=train_args, gpu_type="l4")


def test_gpu_availability_reads_the_catalogue_and_is_seeded(client: Platform, ulmock: Ulmock) -> None:
    stock = typed("TrainingGpuAvailabilityResponse", client.training.gpu_availability())
    assert set(stock) == set(GPUS)
    assert stock["rtx-pro-4000"] is None  # no published price, no reading
    assert {v for v in stock.values() if v} <= {"High", "Medium", "Low"}
    assert client.training.gpu_availability(managed="true") == stock  # the same hour reads the same
    refused(lambda: client.training.gpu_availability(managed="yes"), 400)  # type: ignore[arg-type]


def test_start_reserves_the_estimate_and_the_run_moves_on_the_clock(acme: Platform, ulmock: Ulmock) -> None:
    started = typed("TrainingStartResponse", start(acme, ulmock))
    assert started["modelId"] == model_id(ulmock, "street-detector-v1") and started["status"] == "starting"
    assert started["gpuType"] == "l4" and started["estimatedCost"] == {"pricePerHour": 0.39, "gpuMemoryGb": 24}
    billing = started["billing"]
    assert billing["estimatedCostCents"] > 0 and billing["estimatedCostDisplay"].startswith("$")
    assert billing["balanceCents"] == 12000 + 500  # $120 cash and the $5 sign-up credit; nothing charged yet

    job = typed("ModelsTrainingResponse", acme.models.training(ACME, PROJECT, "street-detector-v1"))["job"]
    assert (
        job["status"] == "starting"
        and job["progress"]["currentEpoch"] == 0
        and job["compute"] == {"gpuType": "l4", "gpuDisplayName": "NVIDIA L4", "gpuMemoryGb": 24}
    )
    assert job["trainArgs"] == {"model": "yolo11n.pt", "epochs": 3, "batch": 8, "imgsz": 320}
    assert job["epochMetrics"] is None and job["error"] is None and len(job["id"]) == 24

    ulmock.clock.advance(35 + 2 * job["timing"]["timePerEpochMs"] / 1000 + 1)  # queue, start-up, two epochs
    job = typed("ModelsTrainingResponse", acme.models.training(ACME, PROJECT, "street-detector-v1"))["job"]
    assert job["status"] == "running" and job["progress"]["currentEpoch"] == 2
    assert job["progress"]["percentage"] == pytest.approx(66.7) and "startedAt" in job["progress"]
    assert job["epochMetrics"]["epoch"] == 2 and 0 < job["epochMetrics"]["metrics/mAP50(B)"] < 1

    ulmock.clock.advance(job["timing"]["etaMs"] / 1000 + 1)
    job = acme.models.training(ACME, PROJECT, "street-detector-v1")["job"]
    assert job["status"] == "completed" and "completedAt" in job["progress"] and job["timing"]["etaMs"] == 0


def test_start_refuses_what_the_contract_refuses(acme: Platform, client: Platform, ulmock: Ulmock) -> None:
    start(acme, ulmock)
    assert "already training" in refused(lambda: start(acme, ulmock), 409)["error"]
    other = model_id(ulmock, "feeder-cam", "lena")  # lena's model: someone else's id is unknown
    unknown = refused(
        lambda: acme.training.start(model_id=other, train_args={"model": "y.pt", "data": DATA, "epochs": 1}), 404
    )
    assert unknown == refused(
        lambda: acme.training.start(model_id="0" * 24, train_args={"model": "y.pt", "data": DATA, "epochs": 1}), 404
    )
    refused(lambda: start(acme, ulmock, "street-detector-v2"), 409)  # the demo's run under way
    refused(lambda: start(acme, ulmock, data="coco8.yaml"), 400)
    refused(lambda: start(acme, ulmock, epochs=0), 400)
    refused(lambda: start(acme, ulmock, imgsz=100), 400)
    refused(
        lambda: acme.training.start(model_id="not-hex", train_args={"model": "y.pt", "data": DATA, "epochs": 1}), 400
    )


def test_a_missing_dataset_is_404_and_another_accounts_too(acme: Platform, ulmock: Ulmock) -> None:
    with ulmock.emulator.lock:  # a model that is not training, to reach the dataset check
        account = ulmock.platform.accounts.by_username(ACME)
        project = next(p for p in ulmock.platform.world.projects(account.id).values() if p.slug == PROJECT)
        ulmock.platform.models.create(account, project.id, "spare")
    missing = refused(lambda: start(acme, ulmock, "spare", data=f"ul://{ACME}/datasets/nope"), 404)
    assert missing == refused(lambda: start(acme, ulmock, "spare", data="ul://lena/datasets/pets-and-friends"), 404)


def test_not_enough_credit_is_402(client: Platform, ulmock: Ulmock) -> None:
    with ulmock.emulator.lock:  # lena (free) has spent her $5 sign-up credit
        ulmock.platform.accounts.by_username("lena").credit_balance = 10_000  # one cent
    lena_model = model_id(ulmock, "feeder-cam", "lena")
    args = {"model": "yolo11x.pt", "data": "ul://lena/datasets/pets-and-friends", "epochs": 300, "imgsz": 1280}
    body = refused(lambda: client.training.start(model_id=lena_model, train_args=args, gpu_type="h200-sxm"), 402)
    assert "Insufficient balance" in body["error"]
    assert client.models.training("lena", "backyard-birds", "feeder-cam") == {"job": None}  # nothing started


def test_cancel_charges_what_ran_and_cancelling_twice_warns(acme: Platform, ulmock: Ulmock) -> None:
    start(acme, ulmock)
    ulmock.clock.advance(40)
    assert typed("ModelsDeleteTrainingResponse", acme.models.delete_training(ACME, PROJECT, "street-detector-v1")) == {
        "success": True,
        "status": "cancelled",
    }
    again = typed("ModelsDeleteTrainingResponse", acme.models.delete_training(ACME, PROJECT, "street-detector-v1"))
    assert again["warning"] == "The training was already cancelled"
    assert acme.models.training(ACME, PROJECT, "street-detector-v1")["job"]["status"] == "cancelled"


def test_cancel_refusals(acme: Platform, client: Platform, ulmock: Ulmock) -> None:
    assert (
        "no training" in refused(lambda: acme.models.delete_training(ACME, PROJECT, "street-detector-v1"), 409)["error"]
    )
    start(acme, ulmock)
    ulmock.clock.advance(3600)  # three short epochs: long done
    assert (
        "completed" in refused(lambda: acme.models.delete_training(ACME, PROJECT, "street-detector-v1"), 409)["error"]
    )
    # Another account's model reads exactly like one that does not exist.
    theirs = refused(lambda: client.models.delete_training(ACME, PROJECT, "street-detector-v1"), 404)
    assert theirs == refused(lambda: client.models.training("lena", "backyard-birds", "nope"), 404)
    refused(lambda: client.models.training("lena", "Backyard_Birds", "feeder-cam"), 400)


def test_training_needs_a_key(ulmock: Ulmock) -> None:
    with Platform(api_key="", base_url=ulmock.url, max_retries=0) as anonymous:
        refused(lambda: anonymous.models.training(ACME, PROJECT, "street-detector-v1"), 401)
        refused(lambda: anonymous.training.start(model_id="0" * 24, train_args={}), 401)


def test_sdk_reports_make_a_run_visible_through_models_training(acme: Platform, ulmock: Ulmock) -> None:
    first = typed(
        "TrainingMetricsResponse",
        acme.training.metrics(
            event="training_started",
            project=f"{ACME}/{PROJECT}",
            name="laptop-run",
            data={
                "trainArgs": {"model": "yolo11n.pt", "data": DATA, "epochs": 2, "imgsz": 64, "batch": 4},
                "epochs": 2,
                "device": "cpu",
            },
        ),
    )
    assert first["modelSlug"] == "laptop-run" and len(first["modelId"]) == 24 and first["cancelled"] is False
    model = first["modelId"]
    metrics = {"train/box_loss": 1.2, "metrics/mAP50(B)": 0.31}
    acme.training.metrics(event="epoch_end", model_id=model, data={"epoch": 0, "metrics": metrics})
    job = typed("ModelsTrainingResponse", acme.models.training(ACME, PROJECT, "laptop-run"))["job"]
    assert job["status"] == "running" and job["compute"] is None  # the user's own CPU, not a cloud GPU
    assert job["progress"] == {**job["progress"], "currentEpoch": 1, "totalEpochs": 2}
    assert job["epochMetrics"] == {"epoch": 1, **metrics}
    assert job["trainArgs"] == {"model": "yolo11n.pt", "epochs": 2, "batch": 4, "imgsz": 64}

    upload = typed(
        "ModelsUploadCheckpointResponse",
        acme.models.upload_checkpoint(filename="best.pt", model_id=model, run_id=first["runId"]),
    )
    assert upload["modelId"] == model and upload["gcsPath"].endswith("/best.pt")
    put = httpx.put(
        upload["uploadUrl"], content=torch_checkpoint(), headers={"Content-Type": "application/octet-stream"}
    )
    assert put.status_code < 300, put.text
    acme.training.metrics(
        event="training_complete", model_id=model, data={"runId": first["runId"], "results": {"metrics": metrics}}
    )
    assert acme.models.training(ACME, PROJECT, "laptop-run")["job"]["status"] == "completed"


def test_sdk_reports_refuse_unknown_models_and_bad_events(acme: Platform, client: Platform, ulmock: Ulmock) -> None:
    theirs = model_id(ulmock, "street-detector-v1")
    assert refused(lambda: client.training.metrics(event="epoch_end", model_id=theirs, data={}), 404) == refused(
        lambda: client.training.metrics(event="epoch_end", model_id="f" * 24, data={}), 404
    )
    refused(lambda: acme.training.metrics(event="nonsense", model_id=theirs, data={}), 400)  # type: ignore[arg-type]
    refused(lambda: client.models.upload_checkpoint(filename="best.pt", model_id=theirs), 404)
    refused(lambda: acme.models.upload_checkpoint(filename="../best.pt", model_id=theirs), 400)
