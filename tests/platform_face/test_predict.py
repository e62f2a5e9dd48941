"""Model predict through the official client: the real network, in the live shape.

lena's `feeder-cam` has no weights of its own, so the bundled YOLOv3-tiny answers
(`X-Ulmock-Network: bundled/yolov3-tiny`); on person.jpg (640x424) it finds the person
and the dog (see /spec/model.md's reference results).
"""

from __future__ import annotations

import base64

import httpx
import pytest
from ultralytics_platform import Platform

from tests.helpers import IMAGES
from tests.platform_face.helpers import refused, typed
from ulmock.api.files import signed_urls
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")
PHOTOS = IMAGES
PERSON = (PHOTOS / "person.jpg").read_bytes()
MODEL = ("lena", "backyard-birds", "feeder-cam")


def test_a_file_gives_boxes_with_class_ids_names_and_timings(client: Platform) -> None:
    answer = typed("ModelsPredictResponse", client.models.predict(*MODEL, body={"file": ("person.jpg", PERSON)}))
    (image,) = answer["images"]
    assert image["shape"] == [424, 640]
    found: dict[str, dict] = {}
    for r in image["results"]:  # best first: keep each class's best
        found.setdefault(r["name"], r)
    assert found["person"]["class"] == 0 and found["dog"]["class"] == 16
    assert found["person"]["confidence"] >= 0.87 and found["dog"]["confidence"] >= 0.73
    for r in image["results"]:
        box = r["box"]
        assert 0 <= box["x1"] < box["x2"] <= 640 and 0 <= box["y1"] < box["y2"] <= 424
        assert r["confidence"] >= 0.25  # the default threshold
    assert all(v >= 0 for v in image["speed"].values()) and image["speed"]["inference"] > 0
    meta = answer["metadata"]
    assert meta["imageCount"] == 1 and len(meta["classNames"]) == 80 and meta["classNames"][16] == "dog"
    assert meta["model"] == "lena/backyard-birds/feeder-cam" and meta["task"] == "detect"
    assert meta["version"]["network"] == "bundled/yolov3-tiny" and meta["functionTimeCall"] > 0


def test_source_as_base64_or_url_answers_like_the_file(client: Platform, ulmock: Ulmock) -> None:
    by_file = client.models.predict(*MODEL, body={"file": ("p.jpg", PERSON), "conf": 0.5})["images"][0]["results"]
    encoded = base64.b64encode(PERSON).decode()
    by_base64 = client.models.predict(*MODEL, body={"source": encoded, "conf": 0.5})["images"][0]["results"]
    data_uri = client.models.predict(*MODEL, body={"source": "data:image/jpeg;base64," + encoded, "conf": 0.5})
    assert by_base64 == by_file == data_uri["images"][0]["results"]
    # An image ulmock itself serves at a signed URL (a dataset image) is fetched like any URL.
    with ulmock.emulator.lock:
        lena = ulmock.platform.accounts.by_username("lena")
        dataset = next(iter(ulmock.platform.world.datasets(lena.id).values()))
        image = dataset.images[0]
        path = signed_urls.path(ulmock.platform.datasets.image_blob(dataset, image))
        signed = ulmock.platform.world.signer.sign(path, ulmock.clock.now(), 600)
    url = signed.absolute(ulmock.url)
    assert httpx.get(url).status_code == 200
    fetched = typed("ModelsPredictResponse", client.models.predict(*MODEL, body={"source": url}))
    assert fetched["images"][0]["shape"] == [image.height, image.width]


def test_normalize_and_decimals_shape_the_boxes(client: Platform) -> None:
    plain = client.models.predict(*MODEL, body={"file": ("p.jpg", PERSON)})["images"][0]["results"][0]
    scaled = client.models.predict(*MODEL, body={"file": ("p.jpg", PERSON), "normalize": "true", "decimals": 2})
    box = scaled["images"][0]["results"][0]["box"]
    assert box["x2"] == pytest.approx(plain["box"]["x2"] / 640, abs=0.006) and box["x2"] <= 1
    assert all(round(v, 2) == v for v in box.values())


def test_the_documented_ranges(client: Platform) -> None:
    file = ("p.jpg", PERSON)
    for field, value in (("conf", 0.005), ("conf", 1.5), ("iou", 0.96), ("imgsz", 16), ("imgsz", 1344)):
        body = refused(lambda: client.models.predict(*MODEL, body={"file": file, field: value}), 400)
        assert field in body["error"]
    few = client.models.predict(*MODEL, body={"file": file, "conf": 1})["images"][0]["results"]
    assert few == []  # nothing is that sure
    small = client.models.predict(*MODEL, body={"file": file, "imgsz": 32, "conf": 0.01})
    assert small["images"][0]["shape"] == [424, 640]


def test_bad_input_is_400(client: Platform, ulmock: Ulmock) -> None:
    assert "file" in refused(lambda: client.models.predict(*MODEL, body={}), 400)["error"]
    refused(lambda: client.models.predict(*MODEL, body={"source": "not base64 at all!"}), 400)
    refused(lambda: client.models.predict(*MODEL, body={"file": ("x.jpg", b"not an image")}), 400)
    refused(lambda: client.models.predict(*MODEL, body={"source": f"{ulmock.url}/files/nothing-here.jpg"}), 400)
    refused(lambda: client.models.predict(*MODEL, body={"source": "http://127.0.0.1:9/closed.jpg"}), 400)


def test_unknown_and_other_accounts_models_read_alike(client: Platform, stranger: Platform, ulmock: Ulmock) -> None:
    theirs = refused(lambda: stranger.models.predict(*MODEL, body={"file": ("p.jpg", PERSON)}), 404)
    assert theirs == refused(
        lambda: client.models.predict("lena", "backyard-birds", "nope", body={"file": ("p.jpg", PERSON)}), 404
    )
    with Platform(api_key="", base_url=ulmock.url, max_retries=0) as anonymous:
        refused(lambda: anonymous.models.predict(*MODEL, body={"file": ("p.jpg", PERSON)}), 401)


def test_the_network_is_named_in_a_header(ulmock: Ulmock) -> None:
    with ulmock.emulator.lock:
        key = next(iter(ulmock.platform.world.api_keys(ulmock.platform.accounts.by_username("lena").id).values()))
    r = httpx.post(
        f"{ulmock.url}/api/models/lena/backyard-birds/feeder-cam/predict",
        headers={"Authorization": f"Bearer {key.secret}"},
        files={"file": ("p.jpg", PERSON)},
    )
    assert r.status_code == 200 and r.headers["X-Ulmock-Network"] == "bundled/yolov3-tiny"
    assert int(r.headers["X-RateLimit-Limit"]) == 20  # the predict category


def test_an_image_over_20_mib_is_413(client: Platform) -> None:
    big = b"\xff\xd8" + b"\x00" * (20 * 1024 * 1024 + 64 * 1024)
    assert "too large" in refused(lambda: client.models.predict(*MODEL, body={"file": ("big.jpg", big)}), 413)["error"]
