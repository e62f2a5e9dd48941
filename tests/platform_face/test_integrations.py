"""Storage integrations through the official client, over the emulated cloud's buckets."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused, typed
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")

S3 = {
    "access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "region": "us-east-1",
}
GCS = {
    "client_email": "reader@acme-ml.iam.gserviceaccount.com",
    "project_id": "acme-ml",
    "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n",
}
AZURE = {"connection_string": "DefaultEndpointsProtocol=https;AccountName=acmeblobs;AccountKey=c2VjcmV0;"}


def put_bucket(ulmock: Ulmock, provider: str, name: str, objects: dict[str, bytes], account: str | None = None) -> Any:
    body: dict[str, Any] = {"objects": {k: base64.b64encode(v).decode() for k, v in objects.items()}}
    if account is not None:
        body["account"] = account
    return httpx.put(f"{ulmock.url}/_ulmock/buckets/{provider}/{name}", json=body)


@pytest.fixture
def buckets(ulmock: Ulmock) -> None:
    """Two S3 buckets and a GCS one in the default account's cloud; one S3 bucket in a stranger's."""
    files = {
        "train/images/a.jpg": b"a" * 10,
        "train/images/b.jpg": b"b" * 20,
        "train/labels/a.txt": b"0 0.5 0.5 1 1",
        "data.yaml": b"names: [cat]",
    }
    assert put_bucket(ulmock, "s3", "acme-data", files).status_code == 201
    assert put_bucket(ulmock, "s3", "acme-archive", {"old.zip": b"PK"}).status_code == 201
    assert put_bucket(ulmock, "gcs", "acme-gcs", {"x.png": b"png"}).status_code == 201
    ulmock.account("stranger", plan="pro")
    assert put_bucket(ulmock, "s3", "their-data", {"secret.jpg": b"s"}, account="stranger").status_code == 201


def test_discover_lists_the_buckets_the_credentials_reach(client: Platform, buckets: None) -> None:
    found = typed(
        "StorageIntegrationsDiscoverResponse",
        client.storage_integrations.discover(body={"provider": "s3", "credentials": S3}),
    )
    assert found == {"targets": ["acme-archive", "acme-data"]}  # never the stranger's bucket
    gcs = client.storage_integrations.discover(body={"provider": "gcs", "credentials": GCS})
    assert gcs == {"targets": ["acme-gcs"]}
    assert client.storage_integrations.discover(body={"provider": "azure", "credentials": AZURE}) == {"targets": []}


@pytest.mark.parametrize(
    ("provider", "credentials", "word"),
    [
        ("s3", {**S3, "access_key_id": "ASIAIOSFODNN7EXAMPLE"}, "temporary"),
        ("s3", {**S3, "secret_access_key": "short"}, "secret_access_key"),
        ("s3", {**S3, "region": "mars"}, "region"),
        ("s3", {"access_key_id": S3["access_key_id"]}, "secret_access_key"),
        ("gcs", {**GCS, "private_key": "not a key"}, "private_key"),
        ("gcs", {**GCS, "client_email": "nobody"}, "client_email"),
        ("azure", {"connection_string": "AccountName=acmeblobs"}, "AccountKey"),
    ],
)
def test_credentials_of_the_wrong_shape_are_400(
    client: Platform, provider: str, credentials: dict[str, str], word: str
) -> None:
    body = refused(
        lambda: client.storage_integrations.discover(body={"provider": provider, "credentials": credentials}), 400
    )
    assert word in body["error"]


def test_connect_list_update_delete(client: Platform, buckets: None) -> None:
    si = client.storage_integrations
    assert typed("StorageIntegrationsListResponse", si.list()) == {"integrations": []}
    made = typed(
        "StorageIntegrationsCreateResponse",
        si.create(body={"provider": "s3", "credentials": S3, "targets": ["acme-data"]}),
    )
    assert made["credentialIdentity"] == S3["access_key_id"] and made["targets"] == ["acme-data"]
    assert made["processing"] is True and len(made["id"]) == 24
    assert "secret" not in str(made) and S3["secret_access_key"] not in str(si.list())
    assert [i["id"] for i in typed("StorageIntegrationsListResponse", si.list())["integrations"]] == [made["id"]]
    off = typed("StorageIntegrationsUpdateResponse", si.update(made["id"], processing=False))
    assert off["processing"] is False and si.list()["integrations"][0]["processing"] is False
    # The same credentials cannot be connected twice
    assert (
        "already exists"
        in refused(lambda: si.create(body={"provider": "s3", "credentials": S3, "targets": ["acme-archive"]}), 409)[
            "error"
        ]
    )
    assert typed("StorageIntegrationsDeleteResponse", si.delete(made["id"])) == {"success": True}
    assert si.list() == {"integrations": []}
    refused(lambda: si.delete(made["id"]), 404)


def test_a_target_the_credentials_cannot_read_is_refused(client: Platform, buckets: None) -> None:
    si = client.storage_integrations
    body = refused(lambda: si.create(body={"provider": "s3", "credentials": S3, "targets": ["their-data"]}), 400)
    assert "their-data" in body["error"]
    refused(lambda: si.create(body={"provider": "s3", "credentials": S3, "targets": []}), 400)
    refused(lambda: si.create(body={"provider": "ftp", "credentials": S3, "targets": ["acme-data"]}), 400)
    assert si.list() == {"integrations": []}


def test_objects_browse_one_level_at_a_time(client: Platform, buckets: None) -> None:
    si = client.storage_integrations
    ident = si.create(body={"provider": "s3", "credentials": S3, "targets": ["acme-data"]})["id"]
    top = typed("StorageIntegrationsObjectsResponse", si.objects(ident, target="acme-data"))
    assert [(e["kind"], e["key"]) for e in top["entries"]] == [("folder", "train/"), ("file", "data.yaml")]
    assert "cursor" not in top
    images = si.objects(ident, target="acme-data", prefix="train/images")["entries"]
    assert [(e["name"], e["size"]) for e in images] == [("a.jpg", 10), ("b.jpg", 20)]
    assert si.objects(ident, target="acme-data", prefix="nothing/") == {"entries": []}
    assert refused(lambda: si.objects(ident, target="acme-archive"), 404) == {"error": "Target not found"}
    refused(lambda: si.objects(ident, target="acme-data", cursor="garbage"), 400)
    refused(lambda: si.objects(ident, target="acme-data", prefix="../etc"), 400)
    refused(lambda: si.objects("0" * 24, target="acme-data"), 404)
    assert refused(lambda: si.objects("nope", target="acme-data"), 400) == {"error": "Invalid integration ID"}


def test_objects_page_with_a_cursor(client: Platform, ulmock: Ulmock) -> None:
    put_bucket(ulmock, "gcs", "many-files", {f"img/{i:03d}.jpg": b"x" for i in range(150)})
    si = client.storage_integrations
    ident = si.create(body={"provider": "gcs", "credentials": GCS, "targets": ["many-files"]})["id"]
    first = si.objects(ident, target="many-files", prefix="img/")
    assert len(first["entries"]) == 100 and "cursor" in first
    rest = si.objects(ident, target="many-files", prefix="img/", cursor=first["cursor"])
    assert len(rest["entries"]) == 50 and "cursor" not in rest
    names = [e["name"] for e in first["entries"] + rest["entries"]]
    assert names == [f"{i:03d}.jpg" for i in range(150)]


def test_another_accounts_integration_is_404(client: Platform, stranger: Platform, ulmock: Ulmock) -> None:
    put_bucket(ulmock, "s3", "acme-data", {"a.jpg": b"a"})
    ident = client.storage_integrations.create(body={"provider": "s3", "credentials": S3, "targets": ["acme-data"]})[
        "id"
    ]
    assert stranger.storage_integrations.list() == {"integrations": []}
    for call in (
        lambda: stranger.storage_integrations.objects(ident, target="acme-data"),
        lambda: stranger.storage_integrations.update(ident, processing=False),
        lambda: stranger.storage_integrations.delete(ident),
    ):
        assert refused(call, 404) == {"error": "Integration not found"}
    assert client.storage_integrations.list()["integrations"][0]["processing"] is True


def test_a_scenario_names_folders_as_buckets(ulmock: Ulmock, client: Platform) -> None:
    scenario = """
description: a bucket from the fixtures
api: platform
accounts:
  - username: bucket-owner
    buckets:
      - {provider: azure, name: photos, folder: datasets/darknet-samples}
"""
    answer = httpx.post(f"{ulmock.url}/_ulmock/scenario", json={"yaml": scenario})
    assert answer.status_code == 200, answer.text
    key = next(a["apiKeys"][0]["key"] for a in httpx.get(f"{ulmock.url}/_ulmock/accounts").json()["data"])
    with Platform(api_key=key, base_url=ulmock.url, max_retries=0) as owner:
        si = owner.storage_integrations
        assert si.discover(body={"provider": "azure", "credentials": AZURE}) == {"targets": ["photos"]}
        made = si.create(body={"provider": "azure", "credentials": AZURE, "targets": ["photos"]})
        assert made["credentialIdentity"] == "acmeblobs"
        top = si.objects(made["id"], target="photos")["entries"]
        assert [e["key"] for e in top] == ["images/", "labels/", "data.yaml"]
        images = si.objects(made["id"], target="photos", prefix="images/")["entries"]
        assert "dog.jpg" in [e["name"] for e in images] and all(e["size"] > 0 for e in images)


def test_a_scenario_bucket_folder_must_exist(ulmock: Ulmock) -> None:
    scenario = """
description: a bucket without its folder
accounts:
  - username: someone
    buckets:
      - {provider: s3, name: gone, folder: no/such/folder}
"""
    answer = httpx.post(f"{ulmock.url}/_ulmock/scenario", json={"yaml": scenario})
    assert answer.status_code == 400 and "not a directory" in answer.text


def test_the_control_endpoint_refuses_bad_objects(ulmock: Ulmock) -> None:
    assert put_bucket(ulmock, "s3", "acme-data", {"../escape": b"x"}).status_code == 400
    assert put_bucket(ulmock, "s3", "Bad_Name", {"a": b"x"}).status_code == 400
    assert put_bucket(ulmock, "dropbox", "acme-data", {"a": b"x"}).status_code == 400
    bad = httpx.put(f"{ulmock.url}/_ulmock/buckets/s3/acme-data", json={"objects": {"a": "%%%"}})
    assert bad.status_code == 400
    assert put_bucket(ulmock, "s3", "acme-data", {"a": b"x"}).status_code == 201  # nothing was left behind


def test_ingest_from_a_connected_bucket_adds_its_images_and_labels(client: Platform, ulmock: Ulmock) -> None:
    from ulmock.bundled import fixtures_root

    root = fixtures_root() / "datasets" / "darknet-samples"
    files = {f"exports/v1/{p.relative_to(root).as_posix()}": p.read_bytes() for p in root.rglob("*") if p.is_file()}
    put_bucket(ulmock, "s3", "acme-data", {**files, "other/readme.txt": b"not part of it"})
    ident = client.storage_integrations.create(body={"provider": "s3", "credentials": S3, "targets": ["acme-data"]})[
        "id"
    ]
    client.datasets.create(dataset="from-cloud", name="From Cloud", task="detect")
    reference = {"provider": "cloud", "integrationId": ident, "target": "acme-data", "prefix": "exports/v1"}
    job = typed(
        "DatasetsIngestResponse", client.datasets.ingest(ulmock.username, "from-cloud", body={"reference": reference})
    )
    assert job["status"] == "queued"
    assert client.datasets.retrieve(ulmock.username, "from-cloud")["dataset"]["status"] == "processing"
    ulmock.clock.advance(60)
    dataset = client.datasets.retrieve(ulmock.username, "from-cloud")["dataset"]
    assert dataset["status"] == "ready" and dataset["imageCount"] == 6 and "giraffe" in dataset["classNames"]
    assert dataset["annotationCount"] > 0
    for bad, status in (
        ({**reference, "target": "acme-archive"}, 404),
        ({**reference, "prefix": "nothing/"}, 404),
        ({**reference, "integrationId": "0" * 24}, 404),
        ({"provider": "local", "keyId": "k", "root": "/data"}, 400),
    ):
        refused(lambda bad=bad: client.datasets.ingest(ulmock.username, "from-cloud", body={"reference": bad}), status)
