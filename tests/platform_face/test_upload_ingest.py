"""Upload and ingest through the official client: signed URL, bare PUT, complete, then the
archive's images and labels join the dataset on the emulator's clock."""

from __future__ import annotations

import hashlib
import io
import tarfile
import zipfile

import httpx
import pytest
from ultralytics_platform import Platform

from tests.helpers import tiny_onnx
from tests.platform_face.helpers import refused, typed
from ulmock.bundled import fixtures_root
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(api="platform")
SAMPLES = fixtures_root() / "datasets" / "darknet-samples"


def yolo_members() -> dict[str, bytes]:
    """The fixture photos as a YOLO export: images/{train,val}/, labels/{train,val}/, data.yaml."""
    files: dict[str, bytes] = {"data.yaml": (SAMPLES / "data.yaml").read_bytes()}
    for n, image in enumerate(sorted((SAMPLES / "images").iterdir())):
        split = "val" if n == 0 else "train"
        files[f"images/{split}/{image.name}"] = image.read_bytes()
        label = SAMPLES / "labels" / f"{image.stem}.txt"
        if label.exists():
            files[f"labels/{split}/{label.name}"] = label.read_bytes()
    return files


def as_zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def as_tar_gz(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def upload(client: Platform, dataset_id: str, filename: str, data: bytes) -> str:
    """Signed URL, the bare PUT (no key), complete with the MD5: the session id."""
    signed = typed(
        "UploadSignedUrlResponse",
        client.upload.signed_url(
            body={
                "assetId": dataset_id,
                "assetType": "datasets",
                "filename": filename,
                "contentType": "application/octet-stream",
                "totalBytes": len(data),
            }
        ),
    )
    put = httpx.put(signed["uploadUrl"], content=data, headers=signed.get("headers", {}))
    assert put.status_code == 200, put.text
    done = typed(
        "UploadCompleteResponse",
        client.upload.complete(session_id=signed["sessionId"], md5=hashlib.md5(data).hexdigest()),
    )
    assert done["file"]["size"] == len(data)
    return str(signed["sessionId"])


def new_dataset(client: Platform, slug: str) -> str:
    return str(client.datasets.create(dataset=slug, name=slug.title())["id"])


@pytest.mark.parametrize("filename, pack", [("birds.zip", as_zip), ("birds.tar.gz", as_tar_gz)])
def test_an_archive_adds_images_and_labels_on_the_clock(client: Platform, ulmock: Ulmock, filename, pack) -> None:
    dataset_id = new_dataset(client, "birds")
    session = upload(client, dataset_id, filename, pack(yolo_members()))
    job = typed("DatasetsIngestResponse", client.datasets.ingest(ulmock.username, "birds", body={"sessionId": session}))
    assert job["status"] == "queued" and len(job["jobId"]) == 24
    before = client.datasets.retrieve(ulmock.username, "birds")["dataset"]
    assert (before["status"], before["imageCount"]) == ("processing", 0)
    refused(lambda: client.datasets.ingest(ulmock.username, "birds", body={"sessionId": session}), 409)
    ulmock.clock.advance(60)
    after = typed("DatasetsRetrieveResponse", client.datasets.retrieve(ulmock.username, "birds"))["dataset"]
    assert (after["status"], after["imageCount"], after["lastIngestJobId"]) == ("ready", 6, job["jobId"])
    assert after["splits"] == {"train": 5, "val": 1, "test": 0, "labeled": 5}
    assert after["classNames"][16] == "dog" and after["lastIngestSummary"]["added"] == 6
    dog = client.datasets.images(ulmock.username, "birds", search="dog", include_labels="true")["images"][0]
    expected = (SAMPLES / "labels" / "dog.txt").read_text().split()
    assert dog["labels"][0]["classId"] == int(expected[0])
    assert dog["labels"][0]["bbox"] == pytest.approx([float(v) for v in expected[1:5]])


def test_an_ndjson_export_ingests_into_another_dataset(client: Platform, ulmock: Ulmock) -> None:
    source_id = new_dataset(client, "source")
    upload_and_ingest(client, ulmock, "source", source_id, "a.zip", as_zip(yolo_members()))
    ndjson = httpx.get(client.datasets.export(ulmock.username, "source")["downloadUrl"]).content
    copy_id = new_dataset(client, "copy")
    upload_and_ingest(client, ulmock, "copy", copy_id, "copy.ndjson", ndjson, targetSplit="test")
    copy = client.datasets.retrieve(ulmock.username, "copy")["dataset"]
    assert (copy["status"], copy["imageCount"], copy["splits"]["test"]) == ("ready", 6, 6)
    assert copy["annotationCount"] == client.datasets.retrieve(ulmock.username, "source")["dataset"]["annotationCount"]


def upload_and_ingest(
    client: Platform, ulmock: Ulmock, slug: str, dataset_id: str, filename: str, data: bytes, **options: str
) -> None:
    session = upload(client, dataset_id, filename, data)
    client.datasets.ingest(ulmock.username, slug, body={"sessionId": session, **options})
    ulmock.clock.advance(120)


def test_a_broken_archive_fails_with_a_reason(client: Platform, ulmock: Ulmock) -> None:
    dataset_id = new_dataset(client, "broken")
    upload_and_ingest(client, ulmock, "broken", dataset_id, "broken.zip", b"PK\x03\x04 this is not a zip")
    got = typed("DatasetsRetrieveResponse", client.datasets.retrieve(ulmock.username, "broken"))["dataset"]
    assert got["status"] == "failed" and got["imageCount"] == 0
    assert "zip" in got["processingError"]["message"]
    no_images = as_zip({"readme.md": b"nothing here"})
    upload_and_ingest(client, ulmock, "broken", dataset_id, "empty.zip", no_images)
    assert "No images" in client.datasets.retrieve(ulmock.username, "broken")["dataset"]["processingError"]["message"]


def test_conflict_policies_for_names_already_there(client: Platform, ulmock: Ulmock) -> None:
    dataset_id = new_dataset(client, "twice")
    data = as_zip(yolo_members())
    upload_and_ingest(client, ulmock, "twice", dataset_id, "a.zip", data)
    upload_and_ingest(client, ulmock, "twice", dataset_id, "b.zip", data)  # skip: nothing new
    got = client.datasets.retrieve(ulmock.username, "twice")["dataset"]
    assert got["status"] == "failed" and got["lastIngestSummary"]["skippedCounts"] == {"duplicate": 6}
    assert got["imageCount"] == 6
    upload_and_ingest(client, ulmock, "twice", dataset_id, "c.zip", data, conflictPolicy="keep_both")
    assert client.datasets.retrieve(ulmock.username, "twice")["dataset"]["imageCount"] == 12


def test_upload_refusals(client: Platform, ulmock: Ulmock, stranger: Platform) -> None:
    dataset_id = new_dataset(client, "target")
    body = {
        "assetId": dataset_id,
        "assetType": "datasets",
        "filename": "x.zip",
        "contentType": "application/zip",
        "totalBytes": 10,
    }
    refused(lambda: client.upload.signed_url(body={**body, "filename": "photo.jpg"}), 400)
    refused(lambda: client.upload.signed_url(body={k: v for k, v in body.items() if k != "totalBytes"}), 400)
    refused(lambda: client.upload.signed_url(body={**body, "assetId": "0" * 24}), 404)
    assert refused(lambda: stranger.upload.signed_url(body=body), 404) == {"error": "Dataset not found"}
    signed = client.upload.signed_url(body=body)
    refused(lambda: client.upload.complete(session_id=signed["sessionId"]), 400)  # nothing PUT yet
    assert httpx.put(signed["uploadUrl"], content=b"too short").status_code == 400
    assert httpx.put(signed["uploadUrl"] + "0", content=b"0123456789").status_code == 403  # tampered signature
    assert httpx.put(signed["uploadUrl"], content=b"0123456789").status_code == 200
    assert httpx.put(signed["uploadUrl"], content=b"0123456789").status_code == 403  # create-only
    refused(lambda: client.upload.complete(session_id=signed["sessionId"], md5="0" * 32), 400)
    refused(lambda: stranger.upload.complete(session_id=signed["sessionId"]), 404)
    refused(lambda: client.datasets.ingest(ulmock.username, "target", body={"sessionId": "f" * 24}), 404)
    refused(lambda: client.datasets.ingest(ulmock.username, "target", body={}), 400)
    refused(lambda: client.datasets.ingest(ulmock.username, "target", body={"sourceUrl": "https://x/a.zip"}), 400)


def test_model_weights_upload_becomes_the_model_file(client: Platform, ulmock: Ulmock) -> None:
    client.projects.create(project="weights", name="Weights")
    model = client.models.create(body={"project": "weights", "model": "uploaded", "name": "Uploaded"})
    weights = tiny_onnx()
    signed = client.upload.signed_url(
        body={
            "assetId": model["id"],
            "assetType": "models",
            "filename": "best.onnx",
            "contentType": "application/octet-stream",
            "totalBytes": len(weights),
        }
    )
    assert httpx.put(signed["uploadUrl"], content=weights).status_code == 200
    client.upload.complete(session_id=signed["sessionId"])
    got = client.models.retrieve(ulmock.username, "weights", "uploaded")["model"]
    assert (got["hasWeights"], got["file"]["size"], got["status"]) == (True, len(weights), "completed")
    (file,) = client.models.files(ulmock.username, "weights", "uploaded")["files"]
    assert httpx.get(file["downloadUrl"]).content == weights


def test_training_runs_on_the_ingested_images(client: Platform, ulmock: Ulmock) -> None:
    dataset_id = new_dataset(client, "fresh")
    upload_and_ingest(client, ulmock, "fresh", dataset_id, "fresh.zip", as_zip(yolo_members()))
    client.projects.create(project="lab", name="Lab")
    client.models.create(body={"project": "lab", "model": "first"})
    # Starting cloud training is the training face's; the run it makes reads the same dataset.
    with ulmock.emulator.lock:
        p = ulmock.platform
        account = p.accounts.by_username(ulmock.username)
        dataset = p.datasets.by_slug(account, "fresh")
        model = next(p.world.models(account.id).newest_first(slug="first")[0])
        run = p.trainings.start(account, model.id, dataset.id, 2, 320, "rtx-4090")
    assert run.image_count == 6
    ulmock.clock.advance(hours=2)
    trained = client.datasets.models(ulmock.username, "fresh")["models"]
    assert [(m["model"], m["status"]) for m in trained] == [("first", "completed")]
