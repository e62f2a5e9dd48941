"""fixtures/datasets/darknet-samples: an Ultralytics YOLO dataset ulmock serves as a demo.

Its labels are pseudo-labels from the bundled detector (tools/pseudo_labels.py); these
tests pin what the dataset promises its users, not the detector's decimals.
"""

from __future__ import annotations

import pytest
import yaml
from PIL import Image

from tests.helpers import SAMPLES
from ulmock.inference.coco import COCO_NAMES

EXPECTED_CLASSES = {
    "person": ["person", "dog", "horse"],
    "dog": ["dog", "car", "bicycle"],
    "eagle": ["bird"],
    "horses": ["horse", "horse", "horse"],
    "giraffe": ["zebra", "giraffe"],
    "scream": [],  # a background image: an empty label file
}


def test_data_yaml_names_cocos_classes_in_ultralytics_spelling() -> None:
    data = yaml.safe_load((SAMPLES / "data.yaml").read_text())
    assert data["train"] == data["val"] == "images" and "path" not in data
    assert data["nc"] == 80 and [data["names"][i] for i in range(80)] == list(COCO_NAMES)


def test_every_image_has_a_label_file_and_nothing_else_does() -> None:
    images = sorted(p.stem for p in (SAMPLES / "images").iterdir())
    labels = sorted(p.stem for p in (SAMPLES / "labels").iterdir())
    assert images == labels == sorted(EXPECTED_CLASSES)


@pytest.mark.parametrize("name", sorted(EXPECTED_CLASSES))
def test_labels_are_normalised_boxes_inside_the_image(name: str) -> None:
    rows = [line.split() for line in (SAMPLES / "labels" / f"{name}.txt").read_text().splitlines()]
    assert sorted(COCO_NAMES[int(row[0])] for row in rows) == sorted(EXPECTED_CLASSES[name])
    for _, *numbers in rows:
        cx, cy, w, h = map(float, numbers)
        assert 0 < w <= 1 and 0 < h <= 1
        # Six decimals in the files: a box edge on the border may round a hair past it.
        assert cx - w / 2 >= -1e-6 and cx + w / 2 <= 1 + 1e-6
        assert cy - h / 2 >= -1e-6 and cy + h / 2 <= 1 + 1e-6


def test_flat_image_links_point_into_the_dataset() -> None:
    flat = SAMPLES.parents[1] / "images"
    for link in flat.iterdir():
        assert link.resolve() == (SAMPLES / "images" / link.name).resolve()
        with Image.open(link) as image:
            assert image.format == "JPEG"


def test_photos_stay_small() -> None:
    assert sum(p.stat().st_size for p in (SAMPLES / "images").iterdir()) < 2_000_000
    assert not any(p.is_symlink() for p in (SAMPLES / "images").iterdir())  # stored once, here
