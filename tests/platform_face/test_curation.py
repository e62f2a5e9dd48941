"""Curation through the official client: classes, splits, picking and copying images, clones, version diffs."""

from __future__ import annotations

from collections import Counter

import pytest
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused, typed
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")
DATASET = "pets-and-friends"  # the six darknet sample photos, 80 COCO classes


def stats(client: Platform, owner: str, dataset: str = DATASET) -> dict[int, int]:
    return {int(c["classId"]): int(c["count"]) for c in client.datasets.class_stats(owner, dataset)["classes"]}


def labels(client: Platform, owner: str, dataset: str = DATASET) -> dict[str, list[int]]:
    page = client.datasets.images(owner, dataset, include_labels="true", limit=100)["images"]
    return {i["name"]: sorted(lb["classId"] for lb in i["labels"]) for i in page}


def test_merging_classes_moves_the_boxes_and_shifts_the_ids(client: Platform, ulmock: Ulmock) -> None:
    me = ulmock.username
    before = client.datasets.retrieve(me, DATASET)["dataset"]["classNames"]
    counts = stats(client, me)
    dog, horse, car = before.index("dog"), before.index("horse"), before.index("car")
    merged = typed(
        "DatasetsMergeClassesResponse",
        client.datasets.merge_classes(me, DATASET, source_class_ids=[horse, car], target_class_id=dog),
    )
    assert merged["mergedClassIds"] == sorted([horse, car])
    names = merged["classNames"]
    assert "horse" not in names and "car" not in names and len(names) == len(before) - 2
    assert names[merged["targetClassId"]] == "dog" and merged["classColors"]["dog"].startswith("#")
    after = stats(client, me)
    assert after[merged["targetClassId"]] == counts[dog] + counts[horse] + counts[car]
    assert sum(after.values()) == sum(counts.values())  # no box lost
    # Every other class kept its boxes under its (shifted) id
    for old, name in enumerate(before):
        if name not in ("dog", "horse", "car") and old in counts:
            assert after[names.index(name)] == counts[old]


def test_deleting_classes_removes_their_boxes_only(client: Platform, ulmock: Ulmock) -> None:
    me = ulmock.username
    before = client.datasets.retrieve(me, DATASET)["dataset"]["classNames"]
    counts = stats(client, me)
    person = before.index("person")
    gone = typed("DatasetsDeleteClassesResponse", client.datasets.delete_classes(me, DATASET, class_ids=[person]))
    assert gone["deletedClassIds"] == [person] and gone["deletedAnnotations"] == counts[person]
    assert "person" not in gone["classNames"]
    after = stats(client, me)
    assert sum(after.values()) == sum(counts.values()) - counts[person]
    dog_now = gone["classNames"].index("dog")
    assert after[dog_now] == counts[before.index("dog")] and dog_now == before.index("dog") - 1  # shifted down
    assert client.datasets.retrieve(me, DATASET)["dataset"]["classNames"] == gone["classNames"]
    refused(lambda: client.datasets.delete_classes(me, DATASET, class_ids=[500]), 400)


def test_redistributing_splits_honours_the_ratios_and_is_seeded(client: Platform, ulmock: Ulmock) -> None:
    me = ulmock.username
    done = typed(
        "DatasetsRedistributeSplitsResponse",
        client.datasets.redistribute_splits(me, DATASET, train=50, val=34, test=16),
    )
    assert done["splits"] == {"train": 3, "val": 2, "test": 1}
    listed = Counter(i["split"] for i in client.datasets.images(me, DATASET, limit=100)["images"])
    assert dict(listed) == {"train": 3, "val": 2, "test": 1}
    first = {i["name"]: i["split"] for i in client.datasets.images(me, DATASET, limit=100)["images"]}
    again = client.datasets.redistribute_splits(me, DATASET, train=50, val=34, test=16)
    assert again["modified"] == 0  # the same seed deals the same hand
    assert {i["name"]: i["split"] for i in client.datasets.images(me, DATASET, limit=100)["images"]} == first
    refused(lambda: client.datasets.redistribute_splits(me, DATASET, train=50, val=30, test=10), 400)


def test_selected_images_are_the_ones_asked_for(client: Platform, ulmock: Ulmock) -> None:
    me = ulmock.username
    page = client.datasets.images(me, DATASET, limit=100)["images"]
    ids = [i["id"] for i in page[:2]]
    chosen = typed(
        "DatasetsSelectedImagesResponse",
        client.datasets.selected_images(me, DATASET, image_ids=ids, include_labels="true"),
    )
    assert sorted(i["id"] for i in chosen["images"]) == sorted(ids) and chosen["total"] == 2
    assert all("labels" in i for i in chosen["images"])
    assert client.datasets.selected_images(me, DATASET, image_ids=ids, split="test")["images"] == []


def test_adopting_copies_and_moves_images_with_their_labels(client: Platform, ulmock: Ulmock) -> None:
    me = ulmock.username
    client.datasets.create(dataset="picked", name="Picked", task="detect")
    page = {i["name"]: i for i in client.datasets.images(me, DATASET, include_labels="true", limit=100)["images"]}
    dog = page["dog.jpg"]
    plain = typed("DatasetsAdoptImagesResponse", client.datasets.adopt_images(me, "picked", image_ids=[dog["id"]]))
    assert plain == {"adopted": 1}
    assert labels(client, me, "picked") == {"dog.jpg": []}  # without release or a mapping: unlabeled train images
    assert client.datasets.adopt_images(me, "picked", image_ids=[dog["id"]]) == {"adopted": 0}  # content it has
    moved = client.datasets.adopt_images(me, "picked", image_ids=[page["horses.jpg"]["id"]], release=True)
    assert moved == {"adopted": 1}
    assert "horses.jpg" not in labels(client, me)  # moved out of the source
    # Classes follow by name: the target gains the source's classes of those boxes, and only those
    source_names = client.datasets.retrieve(me, DATASET)["dataset"]["classNames"]
    wanted = sorted({source_names[lb["classId"]] for lb in page["horses.jpg"]["labels"]})
    picked = client.datasets.retrieve(me, "picked")["dataset"]["classNames"]
    assert sorted(picked) == wanted == ["horse"]
    assert len(labels(client, me, "picked")["horses.jpg"]) == len(page["horses.jpg"]["labels"]) == 3


def test_clone_copies_a_public_dataset_into_your_workspace(client: Platform, stranger: Platform) -> None:
    made = typed("DatasetsCloneResponse", stranger.datasets.clone("globex", "site-safety", name="My Safety"))
    assert (made["owner"], made["dataset"], made["imageCount"]) == ("stranger", "my-safety", 6)
    assert stats(stranger, "stranger", "my-safety") == stats(stranger, "globex", "site-safety")
    only_val = stranger.datasets.clone(
        "globex", "site-safety", dataset_body="val-only", splits=["val"], annotations=False
    )
    source_val = sum(
        1 for i in stranger.datasets.images("globex", "site-safety", limit=100)["images"] if i["split"] == "val"
    )
    assert only_val["imageCount"] == source_val and sum(stats(stranger, "stranger", "val-only").values()) == 0
    refused(lambda: stranger.datasets.clone("globex", "site-safety", dataset_body="my-safety"), 409)


def test_clone_of_someone_elses_private_dataset_is_404(client: Platform, stranger: Platform, ulmock: Ulmock) -> None:
    refused(lambda: stranger.datasets.clone(ulmock.username, DATASET, name="Mine Now"), 404)
    refused(
        lambda: stranger.datasets.merge_classes(ulmock.username, DATASET, source_class_ids=[0], target_class_id=1), 404
    )


def test_compare_lists_what_changed_between_versions(client: Platform, ulmock: Ulmock) -> None:
    me = ulmock.username
    client.datasets.create_export(me, DATASET, description="before")
    page = {i["name"]: i["id"] for i in client.datasets.images(me, DATASET, limit=100)["images"]}
    client.images.delete(page["eagle.jpg"])
    client.images.update(page["dog.jpg"], body={"labels": [{"classId": 16, "bbox": [0.5, 0.5, 0.4, 0.4]}]})
    client.images.update_bulk(image_ids=[page["scream.jpg"]], split="test")
    client.datasets.create_export(me, DATASET, description="after")
    diff = typed("DatasetsCompareResponse", client.datasets.compare(me, DATASET, base=1, head=2))
    changes = {i["name"]: i for i in diff["items"]}
    assert {n: c["change"] for n, c in changes.items()} == {
        "dog.jpg": "modified",
        "eagle.jpg": "removed",
        "scream.jpg": "moved",
    }
    assert changes["dog.jpg"]["fields"] == ["labels"]
    assert (changes["dog.jpg"]["labelsAdded"], changes["dog.jpg"]["labelsRemoved"]) == (1, 3)
    summary = diff["summary"]
    assert (summary["added"], summary["removed"], summary["modified"], summary["moved"]) == (0, 1, 1, 1)
    assert summary["labelsRemoved"] == 3 + changes["eagle.jpg"]["labelsRemoved"]
    one = typed(
        "DatasetsCompareResponse", client.datasets.compare(me, DATASET, base=1, head=2, hash=changes["dog.jpg"]["hash"])
    )
    base, head = one["versions"]
    assert base["images"][0]["labelCount"] == 3 and head["images"][0]["labelCount"] == 1
    refused(lambda: client.datasets.compare(me, DATASET, base=1, head=9), 404)
