"""Similarity through the official client: descriptors from the pixels make near-duplicates neighbours."""

from __future__ import annotations

import io
import math

import pytest
from PIL import Image, ImageEnhance
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused, typed
from ulmock.domain.entities import DatasetImage
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")
DATASET = "pets-and-friends"  # the six darknet sample photos


def altered_copy(ulmock: Ulmock, source: str, target: str, name: str = "dog-edited.jpg") -> None:
    """dog.jpg cropped a little, brightened 10 % and re-encoded: other bytes, the same photo."""
    with ulmock.emulator.lock:
        p = ulmock.platform
        account = p.accounts.by_username(ulmock.username)
        dog = next(i for i in p.datasets.by_slug(account, source).images if i.file == "dog.jpg")
        with Image.open(io.BytesIO(p.world.blobs.read(dog.blob_id))) as im:
            w, h = im.size
            edited = ImageEnhance.Brightness(im.convert("RGB").crop((12, 8, w - 10, h - 6))).enhance(1.1)
        out = io.BytesIO()
        edited.save(out, "JPEG", quality=70)
        blob = p.world.blobs.put(out.getvalue(), "image/jpeg")
        p.datasets.by_slug(account, target).images.append(
            DatasetImage(file=name, blob_id=blob.id, width=edited.width, height=edited.height)
        )


def image_ids(client: Platform, owner: str, dataset: str) -> dict[str, str]:
    return {i["name"]: i["id"] for i in client.datasets.images(owner, dataset, limit=100)["images"]}


def test_a_near_duplicate_is_the_nearest_neighbour(client: Platform, ulmock: Ulmock) -> None:
    client.datasets.create(dataset="edits", name="Edits", task="detect")
    altered_copy(ulmock, DATASET, "edits")
    dog = image_ids(client, ulmock.username, DATASET)["dog.jpg"]
    found = typed("ImagesFindSimilarImagesResponse", client.images.find_similar_images(dog))["images"]
    assert found[0]["name"] == "dog-edited.jpg" and found[0]["dataset"]["dataset"] == "edits"
    assert found[0]["score"] > 0.95
    # Unrelated photos are clearly further away; exact copies (globex's public set has them) never show
    assert all(other["score"] < 0.85 for other in found[1:])
    names = [f["name"] for f in found]
    assert "dog.jpg" not in names
    assert found == sorted(found, key=lambda f: -f["score"])


def test_the_source_dataset_is_searched_only_when_asked(client: Platform, ulmock: Ulmock) -> None:
    altered_copy(ulmock, DATASET, DATASET)
    dog = image_ids(client, ulmock.username, DATASET)["dog.jpg"]
    assert "dog-edited.jpg" not in [f["name"] for f in client.images.find_similar_images(dog)["images"]]
    inside = client.images.find_similar_images(dog, include_source_dataset="true")["images"]
    assert inside[0]["name"] == "dog-edited.jpg"
    refused(lambda: client.images.find_similar_images("0" * 24), 404)


def test_analysis_runs_on_the_clock_and_maps_near_duplicates_together(client: Platform, ulmock: Ulmock) -> None:
    me = ulmock.username
    altered_copy(ulmock, DATASET, DATASET)
    assert typed("DatasetsEmbeddingsResponse", client.datasets.embeddings(me, DATASET)) == {
        "analyzedAt": None,
        "embeddingsCount": 0,
        "latestImageAt": client.datasets.embeddings(me, DATASET)["latestImageAt"],
        "activeJob": None,
    }
    refused(lambda: client.datasets.clustering(me, DATASET), 404)  # nothing analysed yet
    job = typed("DatasetsCreateEmbeddingsResponse", client.datasets.create_embeddings(me, DATASET))["jobId"]
    queued = client.datasets.embeddings(me, DATASET)["activeJob"]
    assert queued["id"] == job and queued["status"] == "queued"
    refused(lambda: client.datasets.create_embeddings(me, DATASET), 409)
    ulmock.clock.advance(2.5)
    running = typed("DatasetsEmbeddingsResponse", client.datasets.embeddings(me, DATASET))["activeJob"]
    assert running["status"] == "running" and 0 < running["progress"]["percent"] < 100
    ulmock.clock.advance(10)
    done = typed("DatasetsEmbeddingsResponse", client.datasets.embeddings(me, DATASET))
    assert done["activeJob"] is None and done["embeddingsCount"] == 7 and done["analyzedAt"]
    layout = typed("DatasetsClusteringResponse", client.datasets.clustering(me, DATASET))
    assert layout["total"] == 7 and layout["hasMore"] is False
    points = {p["id"]: p for p in layout["images"]}
    ids = image_ids(client, me, DATASET)
    dog, edited = points[ids["dog.jpg"]], points[ids["dog-edited.jpg"]]
    assert dog["cluster"] == edited["cluster"]
    gap = math.dist((dog["umapX"], dog["umapY"]), (edited["umapX"], edited["umapY"]))
    others = [
        math.dist((dog["umapX"], dog["umapY"]), (p["umapX"], p["umapY"]))
        for i, p in points.items()
        if i not in (ids["dog.jpg"], ids["dog-edited.jpg"])
    ]
    assert gap < min(others)
    assert all(0 <= p["umapX"] <= 1 and 0 <= p["umapY"] <= 1 and not p["missing"] for p in layout["images"])
    second = client.datasets.clustering(me, DATASET, offset=5, limit=5)
    assert len(second["images"]) == 2 and second["nextOffset"] is None


def test_cancelling_an_analysis(client: Platform, ulmock: Ulmock) -> None:
    me = ulmock.username
    assert typed("DatasetsDeleteEmbeddingsResponse", client.datasets.delete_embeddings(me, DATASET)) == {
        "cancelled": None
    }
    job = client.datasets.create_embeddings(me, DATASET)["jobId"]
    assert client.datasets.delete_embeddings(me, DATASET) == {"cancelled": job}
    ulmock.clock.advance(60)
    assert client.datasets.embeddings(me, DATASET)["embeddingsCount"] == 0
    refused(lambda: client.datasets.clustering(me, DATASET), 404)


def test_similar_training_images_come_from_other_datasets(client: Platform, ulmock: Ulmock) -> None:
    me = ulmock.username
    client.datasets.create(dataset="edits", name="Edits", task="detect")
    altered_copy(ulmock, DATASET, "edits")
    with ulmock.emulator.lock:
        p = ulmock.platform
        account = p.accounts.by_username(me)
        model = next(m for m in p.world.models(account.id).values() if m.slug == "feeder-cam")
        model.dataset_id = p.datasets.by_slug(account, DATASET).id
    empty = typed(
        "ModelsFindSimilarTrainingImagesResponse",
        client.models.find_similar_training_images(me, "backyard-birds", "feeder-cam"),
    )
    assert empty == {"images": []}  # the run recorded no worst images
    dog = client.images.retrieve(image_ids(client, me, DATASET)["dog.jpg"])["properties"]["hash"]
    found = client.models.find_similar_training_images(me, "backyard-birds", "feeder-cam", hashes=dog)["images"]
    assert found[0]["name"] == "dog-edited.jpg" and found[0]["dataset"]["dataset"] == "edits"
    assert all(f["dataset"]["dataset"] != DATASET for f in found)
    refused(lambda: client.models.find_similar_training_images(me, "backyard-birds", "feeder-cam", hashes="abc"), 400)


def test_someone_elses_private_dataset_is_404(client: Platform, stranger: Platform, ulmock: Ulmock) -> None:
    refused(lambda: stranger.datasets.create_embeddings(ulmock.username, DATASET), 404)
    refused(lambda: stranger.datasets.embeddings(ulmock.username, DATASET), 404)
    dog = image_ids(client, ulmock.username, DATASET)["dog.jpg"]
    refused(lambda: stranger.images.find_similar_images(dog), 404)
