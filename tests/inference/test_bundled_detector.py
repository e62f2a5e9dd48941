"""The bundled YOLOv3-tiny on Darknet's sample photos, against the reference results.

The reference (shared/spec/model.md) was taken with OpenCV's own Darknet reader:
threshold 0.25, NMS IoU 0.45. A faithful conversion reproduces the best confidence
per class to three decimals.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from ulmock.inference import BUNDLED_NETWORK, InferenceEngine, Prediction

REFERENCE = {
    ("person", 416): {"person": 0.936, "dog": 0.933, "horse": 0.907},
    ("person", 640): {"person": 0.984, "dog": 0.938, "sheep": 0.594},
    ("dog", 416): {"car": 0.704, "dog": 0.601, "bicycle": 0.591},
    ("dog", 640): {"dog": 0.820, "car": 0.634, "bicycle": 0.512},
    ("eagle", 416): {"bird": 0.848},
    ("eagle", 640): {"bird": 0.575},
}


def best_per_class(prediction: Prediction) -> dict[str, float]:
    best: dict[str, float] = {}
    for detection in prediction.detections:
        best[detection["class"]] = max(best.get(detection["class"], 0.0), detection["confidence"])
    return best


@pytest.mark.parametrize(("name", "imgsz"), list(REFERENCE))
def test_matches_the_reference_detections(engine: InferenceEngine, photo, name: str, imgsz: int) -> None:
    found = best_per_class(engine.predict(photo(name), imgsz=imgsz, iou=0.45))
    assert set(found) == set(REFERENCE[name, imgsz])
    for cls, confidence in REFERENCE[name, imgsz].items():
        assert found[cls] == pytest.approx(confidence, abs=0.0015), cls


def test_person_photo_at_native_size_with_default_settings(engine: InferenceEngine, photo) -> None:
    prediction = engine.predict(photo("person"))
    found = best_per_class(prediction)
    # The facts that hold across preprocessing variants (model.md).
    assert found["person"] >= 0.87 and found["dog"] >= 0.73
    assert prediction.network == BUNDLED_NETWORK == "bundled/yolov3-tiny"
    assert prediction.image_size == (640, 424)
    assert prediction.inference_ms > 0
    assert set(prediction.speed_ms) == {"decode", "preprocess", "inference", "postprocess"}


def test_detections_have_the_api_shape_best_first(engine: InferenceEngine, photo) -> None:
    detections = engine.predict(photo("person")).detections
    person = detections[0]
    assert person == {
        "class": "person",
        "confidence": pytest.approx(0.9362, abs=2e-4),
        "box": {
            "x1": pytest.approx(186.8, abs=1),
            "y1": pytest.approx(104.5, abs=1),
            "x2": pytest.approx(276.1, abs=1),
            "y2": pytest.approx(381.1, abs=1),
        },
    }
    confidences = [d["confidence"] for d in detections]
    assert confidences == sorted(confidences, reverse=True)
    for d in detections:
        assert list(d) == ["class", "confidence", "box"] and list(d["box"]) == [
            "x1",
            "y1",
            "x2",
            "y2",
        ]
        assert round(d["confidence"], 4) == d["confidence"]
        assert all(round(v, 2) == v for v in d["box"].values())


def test_boxes_are_in_original_pixels_and_inside_the_image(engine: InferenceEngine, photo) -> None:
    for name, (width, height) in {
        "dog": (768, 576),
        "eagle": (773, 512),
        "giraffe": (500, 500),
    }.items():
        prediction = engine.predict(photo(name))
        assert prediction.image_size == (width, height)
        for d in prediction.detections:
            box = d["box"]
            assert 0 <= box["x1"] < box["x2"] <= width and 0 <= box["y1"] < box["y2"] <= height
    eagle = engine.predict(photo("eagle")).detections[0]["box"]
    assert eagle["x1"] == pytest.approx(175, abs=8) and eagle["x2"] == pytest.approx(600, abs=8)


def test_a_higher_conf_keeps_only_the_surer_detections(engine: InferenceEngine, photo) -> None:
    everything = engine.predict(photo("person"), conf=0.25).detections
    sure = engine.predict(photo("person"), conf=0.9).detections
    assert [d["class"] for d in sure] == ["person", "dog", "horse"]
    assert sure == [d for d in everything if d["confidence"] > 0.9]
    assert engine.predict(photo("person"), conf=0.99).detections == []


def test_a_lower_iou_suppresses_more_overlapping_boxes(engine: InferenceEngine, photo) -> None:
    loose = engine.predict(photo("person"), iou=0.7).detections
    strict = engine.predict(photo("person"), iou=0.2).detections
    # At 0.7 a second, nested box on the dog survives; at 0.2 it does not.
    assert [d["class"] for d in loose].count("dog") >= 2
    assert [d["class"] for d in strict].count("dog") == 1


def test_imgsz_is_rounded_up_to_the_stride(engine: InferenceEngine, photo) -> None:
    assert (
        engine.predict(photo("person"), imgsz=630).detections == engine.predict(photo("person"), imgsz=640).detections
    )


def test_a_photo_of_a_painting_finds_nothing(engine: InferenceEngine, photo) -> None:
    assert engine.predict(photo("scream")).detections == []


def test_exif_rotated_upload_is_seen_upright(engine: InferenceEngine, photo) -> None:
    """A camera stores the pixels sideways and says so in EXIF; boxes must come back in
    the upright picture's coordinates, as a person viewing it would draw them."""
    upright = Image.open(io.BytesIO(photo("person")))
    sideways = upright.transpose(Image.Transpose.ROTATE_90)  # stored 424×640
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    tagged, untagged = io.BytesIO(), io.BytesIO()
    sideways.save(tagged, "JPEG", quality=95, exif=exif.tobytes())
    sideways.save(untagged, "JPEG", quality=95)

    rotated = engine.predict(tagged.getvalue())
    assert rotated.image_size == (640, 424)
    person = next(d for d in rotated.detections if d["class"] == "person")
    assert person["confidence"] >= 0.87
    reference = engine.predict(photo("person")).detections[0]["box"]
    for key, value in person["box"].items():
        assert value == pytest.approx(reference[key], abs=6), key
    # Without the tag the same pixels are a portrait picture.
    assert engine.predict(untagged.getvalue()).image_size == (424, 640)
