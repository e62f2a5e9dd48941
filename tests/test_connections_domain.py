"""The domain of the live face's connected areas, without HTTP: the emulated cloud, agents,
curation, and the state a snapshot must carry."""

from __future__ import annotations

import pytest

from ulmock.domain.backend import Platform
from ulmock.domain.clock import Clock
from ulmock.domain.curation import delete_classes, merge_classes
from ulmock.domain.entities import DatasetImage
from ulmock.domain.errors import Conflict, ValidationError
from ulmock.domain.snapshot import EVENT_PAYLOADS, dump_world
from ulmock.scenarios import build_emulator

S3 = {
    "access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "region": "eu-west-3",
}


@pytest.fixture
def platform() -> Platform:
    return Platform(Clock(mode="manual", start=1_700_000_000.0), seed=7)


def test_the_cloud_keeps_no_secret_and_lists_one_level(platform: Platform) -> None:
    account, _ = platform.accounts.create("ada", "pro")
    bucket = platform.cloud.add_bucket(account, "s3", "ada-data")
    platform.cloud.put_objects(bucket, {"a/b/c.jpg": b"1", "a/d.jpg": b"22", "e.txt": b"333"})
    integration = platform.cloud.connect(account, "s3", S3, ["ada-data"])
    assert integration.credential_identity == S3["access_key_id"]
    assert S3["secret_access_key"] not in str(dump_world(platform.world))
    entries, cursor = platform.cloud.list_objects(bucket, "a", None)
    assert [(e.kind, e.key) for e in entries] == [("folder", "a/b/"), ("file", "a/d.jpg")] and cursor is None
    with pytest.raises(Conflict):
        platform.cloud.connect(account, "s3", S3, ["ada-data"])
    with pytest.raises(ValidationError):
        platform.cloud.put_objects(bucket, {"ok.jpg": b"x", "../up.jpg": b"y"})
    assert "ok.jpg" not in bucket.objects  # a bad key refuses the whole put


def test_agent_saves_are_versioned(platform: Platform) -> None:
    account, _ = platform.accounts.create("ada", "pro")
    graph = {
        "nodes": [
            {
                "id": "o",
                "type": "agent",
                "position": {"x": 0, "y": 0},
                "data": {"label": "Out", "type": "Output", "config": {}},
            }
        ],
        "edges": [],
        "templateId": "",
    }
    workflow, errors = platform.workflows.save(account, None, "Lonely", graph, 0)
    assert workflow.version == 1 and [e.message for e in errors] == ["Output blocks need an input"]
    platform.workflows.save(account, workflow.id, "Lonely", graph, 1)
    with pytest.raises(Conflict):
        platform.workflows.save(account, workflow.id, "Stale", graph, 1)


def test_class_ids_shift_in_the_boxes(platform: Platform) -> None:
    account, _ = platform.accounts.create("ada", "pro")
    dataset = platform.datasets.create(account, "Zoo", "detect", class_names=["cat", "dog", "emu", "fox"])
    blob = platform.world.blobs.put(b"img")
    dataset.images.append(
        DatasetImage(
            file="a.jpg",
            blob_id=blob.id,
            width=10,
            height=10,
            annotations={
                "boxes": [
                    [0, 0.5, 0.5, 0.1, 0.1],
                    [1, 0.5, 0.5, 0.1, 0.1],
                    [2, 0.5, 0.5, 0.1, 0.1],
                    [3, 0.5, 0.5, 0.1, 0.1],
                ]
            },
        )
    )
    merged, target = merge_classes(platform.world, dataset, [0], 2)  # cats become emus
    assert merged == [0] and dataset.class_names == ["dog", "emu", "fox"] and target == 1
    assert [b[0] for b in dataset.images[0].annotations["boxes"]] == [1, 0, 1, 2]
    gone, dropped = delete_classes(platform.world, dataset, [0])  # no more dogs
    assert (gone, dropped) == ([0], 1) and dataset.class_names == ["emu", "fox"]
    assert [b[0] for b in dataset.images[0].annotations["boxes"]] == [0, 0, 1]
    with pytest.raises(ValidationError):
        merge_classes(platform.world, dataset, [9], 0)


def test_a_snapshot_carries_every_connected_area() -> None:
    emulator = build_emulator("minimal")
    with emulator.lock:
        platform = emulator.platform
        account, _ = platform.accounts.create("ada", "pro")
        other, _ = platform.accounts.create("bob", "free")
        platform.cloud.put_objects(platform.cloud.add_bucket(account, "gcs", "ada-bucket"), {"x.jpg": b"x"})
        platform.follows.set(account, other, True)
        platform.roboflow.add_workspace("rf_key_12345", "acme", "Acme", [])
        dataset = platform.datasets.create(account, "Empty", "detect")
        run = platform.analyses.start(account, dataset)
    fresh = build_emulator("minimal")
    fresh.restore(emulator.snapshot())  # validated whole, then swapped in
    restored = fresh.platform
    assert [b.name for b in restored.cloud.buckets(account, "gcs")] == ["ada-bucket"]
    assert restored.follows.follower_count(other) == 1
    assert restored.roboflow.open("rf_key_12345").name == "Acme"
    assert restored.analyses.active(account, restored.datasets.by_slug(account, "empty")).id == run.id  # type: ignore[arg-type,union-attr]


def test_every_kind_of_scheduled_event_can_be_restored(platform: Platform) -> None:
    # A snapshot's clock queue is checked against EVENT_PAYLOADS; a kind missing there
    # would make every snapshot holding one unrestorable.
    assert set(platform.world.clock.bindings()) <= set(EVENT_PAYLOADS)
