"""Exports under the model, through the official client.

An export moves queued -> running -> completed on the emulator's clock (a few seconds
in the queue, then the format's own pace: onnx takes 20 s); a completed one has a signed
download URL. DELETE cancels one under way and deletes a finished one.
"""

from __future__ import annotations

import typing

import httpx
import onnx
import pytest
from ultralytics_platform import APIError, Platform

from tests.platform_face.helpers import client_types, refused, typed
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")
MODEL = ("lena", "backyard-birds", "feeder-cam")
CLIENT_FORMATS = typing.get_args(typing.get_type_hints(client_types.ExportsRetrieveResponseExport)["format"])


def test_an_onnx_export_completes_with_a_download(client: Platform, ulmock: Ulmock) -> None:
    created = typed("ExportsCreateResponse", client.exports.create(*MODEL, format="onnx", args={"imgsz": 320}))
    assert created["format"] == "onnx" and created["status"] == "queued" and len(created["id"]) == 24
    ident = created["id"]
    queued = typed("ExportsRetrieveResponse", client.exports.retrieve(*MODEL, ident))["export"]
    assert queued["status"] == "queued" and queued["args"] == {"imgsz": 320} and "file" not in queued
    ulmock.clock.advance(4)
    assert client.exports.retrieve(*MODEL, ident)["export"]["status"] == "running"
    ulmock.clock.advance(20)
    done = typed("ExportsRetrieveResponse", client.exports.retrieve(*MODEL, ident))["export"]
    assert done["status"] == "completed" and done["file"]["downloadFilename"] == "model.onnx"
    assert "startedAt" in done and "completedAt" in done
    artifact = httpx.get(done["file"]["downloadUrl"])
    assert artifact.status_code == 200 and len(artifact.content) == done["file"]["size"]
    # A model with no weights of its own exports the network that answers its predict: a real ONNX file.
    graph = onnx.load_from_string(artifact.content).graph
    assert graph.name == "yolov3-tiny" and graph.input[0].name == "images"


def test_every_format_of_the_client_is_accepted(client: Platform, ulmock: Ulmock) -> None:
    assert len(CLIENT_FORMATS) == 22  # the OpenAPI 0.1.9's 20, and coreai and xilinx since
    for n, fmt in enumerate(CLIENT_FORMATS):
        if n == 20:  # the export category allows 20 calls a minute
            with pytest.raises(APIError) as limited:
                client.exports.create(*MODEL, format=fmt)
            assert limited.value.status_code == 429 and "20 export requests" in limited.value.json["error"]
            ulmock.clock.advance(60)
        typed("ExportsCreateResponse", client.exports.create(*MODEL, format=fmt))
    listed = typed("ExportsListResponse", client.exports.list(*MODEL, limit=100))
    assert sorted(e["format"] for e in listed["exports"]) == sorted(CLIENT_FORMATS) and listed["region"] == "us"
    ulmock.clock.advance(600)
    done = client.exports.list(*MODEL, status="completed", limit=100)["exports"]
    assert len(done) == 22 and {e["file"]["downloadFilename"] for e in done} >= {
        "model.engine",
        "model.pb",
        "model.tflite",
        "model.hef",
    }


def test_tflite_tfjs_and_unknown_options_are_refused(client: Platform) -> None:
    for fmt in ("tflite", "tfjs", "keras"):
        assert "format" in refused(lambda: client.exports.create(*MODEL, format=fmt), 400)["error"]  # type: ignore[arg-type]
    refused(lambda: client.exports.create(*MODEL, format="onnx", args={"colour": "blue"}), 400)
    refused(lambda: client.exports.create(*MODEL, format="onnx", args={"imgsz": 8}), 400)
    refused(lambda: client.exports.create(*MODEL, format="engine", gpu_type="voodoo-2"), 400)  # type: ignore[arg-type]
    assert client.exports.list(*MODEL) == {"exports": [], "region": "us"}  # nothing was made


def test_an_equivalent_export_in_flight_is_409_a_different_one_is_not(client: Platform, ulmock: Ulmock) -> None:
    client.exports.create(*MODEL, format="engine", gpu_type="l4", args={"quantize": "fp16"})
    assert (
        "already in progress"
        in refused(
            lambda: client.exports.create(*MODEL, format="engine", gpu_type="l4", args={"quantize": "fp16"}), 409
        )["error"]
    )
    other_gpu = typed(
        "ExportsCreateResponse",
        client.exports.create(*MODEL, format="engine", gpu_type="h100-sxm", args={"quantize": "fp16"}),
    )
    assert other_gpu["gpuType"] == "h100-sxm"
    client.exports.create(*MODEL, format="engine", gpu_type="l4", args={"quantize": "int8"})
    ulmock.clock.advance(600)
    client.exports.create(*MODEL, format="engine", gpu_type="l4", args={"quantize": "fp16"})  # the first one is done


def test_delete_cancels_an_active_export_and_deletes_a_finished_one(client: Platform, ulmock: Ulmock) -> None:
    active = client.exports.create(*MODEL, format="openvino")["id"]
    assert typed("ExportsDeleteResponse", client.exports.delete(*MODEL, active)) == {
        "success": True,
        "action": "cancelled",
    }
    ulmock.clock.advance(600)
    assert client.exports.retrieve(*MODEL, active)["export"]["status"] == "cancelled"  # the clock did not finish it
    assert client.exports.delete(*MODEL, active) == {"success": True, "action": "deleted"}
    refused(lambda: client.exports.retrieve(*MODEL, active), 404)

    done = client.exports.create(*MODEL, format="torchscript")["id"]
    ulmock.clock.advance(60)
    url = client.exports.retrieve(*MODEL, done)["export"]["file"]["downloadUrl"]
    assert client.exports.delete(*MODEL, done)["action"] == "deleted"
    assert httpx.get(url).status_code == 404  # the artifact went with it
    assert client.exports.list(*MODEL)["exports"] == []


def test_unknown_and_other_accounts_exports_read_alike(client: Platform, stranger: Platform) -> None:
    ident = client.exports.create(*MODEL, format="onnx")["id"]
    theirs = refused(lambda: stranger.exports.retrieve(*MODEL, ident), 404)
    assert theirs == refused(lambda: stranger.exports.list(*MODEL), 404)
    assert theirs == refused(lambda: stranger.exports.create(*MODEL, format="onnx"), 404)
    assert theirs == refused(lambda: stranger.exports.delete(*MODEL, ident), 404)
    assert refused(lambda: client.exports.retrieve(*MODEL, "0" * 24), 404) == {"error": "Export not found"}
    refused(lambda: client.exports.retrieve(*MODEL, "not-an-id"), 404)
    refused(lambda: client.exports.list(*MODEL, limit=0), 400)
    refused(lambda: client.exports.list(*MODEL, status="lost"), 400)  # type: ignore[arg-type]
