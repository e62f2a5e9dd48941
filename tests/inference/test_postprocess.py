"""The numpy stages around the network: letterbox, output layouts, NMS, metadata."""

from __future__ import annotations

import numpy as np
import pytest

from ulmock.inference import ModelNotRunnable
from ulmock.inference.detectors import network_input_size
from ulmock.inference.letterbox import PAD_VALUE, letterbox
from ulmock.inference.metadata import ModelMetadata
from ulmock.inference.nms import batched_nms, nms
from ulmock.inference.outputs import Layout, decode_output, infer_layout


def test_letterbox_fits_scales_and_centres_with_grey() -> None:
    image = np.full((424, 640, 3), 255, np.uint8)  # person.jpg's size
    tensor, placement = letterbox(image, (416, 416))
    assert tensor.shape == (1, 3, 416, 416) and tensor.dtype == np.float32
    assert placement.scale == pytest.approx(0.65)
    # 640×424 → 416×276: 140 rows of padding, 70 above and 70 below.
    assert (placement.left, placement.top) == (0, 70)
    assert tensor[0, :, 69, 0] == pytest.approx(PAD_VALUE / 255)
    assert tensor[0, :, 70, 0] == pytest.approx(1.0) and tensor[0, :, 345, 0] == pytest.approx(1.0)
    assert tensor[0, :, 346, 0] == pytest.approx(PAD_VALUE / 255)


def test_odd_padding_goes_to_the_bottom_right() -> None:
    _, placement = letterbox(np.zeros((10, 31, 3), np.uint8), (32, 32))
    # 31×10 → 32×10 (scale 32/31): 22 rows of padding split 11/11; with 21 it is 10/11.
    assert placement.top == 11
    _, odd = letterbox(np.zeros((11, 32, 3), np.uint8), (32, 32))
    assert odd.top == 10  # 21 rows: 10 above, 11 below


def test_boxes_map_back_to_original_pixels_and_are_clipped() -> None:
    _, placement = letterbox(np.zeros((424, 640, 3), np.uint8), (416, 416))
    canvas_boxes = np.array([[0, 70, 416, 346], [-20, 0, 100, 500]], np.float32)
    np.testing.assert_allclose(
        placement.to_original(canvas_boxes), [[0, 0, 640, 424], [0, 0, 153.84615, 424]], rtol=1e-5
    )


def test_imgsz_rounds_up_to_the_stride() -> None:
    assert [network_input_size(n) for n in (1, 32, 33, 416, 500, 640)] == [
        32,
        32,
        64,
        416,
        512,
        640,
    ]


def channels_first(rows: list[list[float]]) -> np.ndarray:
    """Candidates given as rows (cx, cy, w, h, scores...) → the [1, 4+nc, N] tensor."""
    return np.array(rows, np.float32).T[None]


def test_channels_first_decoding_keeps_the_best_class_above_conf() -> None:
    output = channels_first([[50, 50, 20, 10, 0.1, 0.8], [10, 10, 4, 4, 0.2, 0.24], [30, 30, 10, 10, 0.26, 0.1]])
    found = decode_output(output, Layout.CHANNELS_FIRST, num_classes=2, conf=0.25)
    np.testing.assert_allclose(found.boxes, [[40, 45, 60, 55], [25, 25, 35, 35]])
    assert found.classes.tolist() == [1, 0]
    np.testing.assert_allclose(found.scores, [0.8, 0.26])


def test_extra_columns_after_the_classes_are_ignored() -> None:
    # A segment export appends mask coefficients to each candidate.
    output = channels_first([[50, 50, 20, 10, 0.9, 0.1, 7.0, -3.0]])
    assert infer_layout(output.shape, 2, None) is Layout.CHANNELS_FIRST
    assert decode_output(output, Layout.CHANNELS_FIRST, 2, 0.25).classes.tolist() == [0]


def test_end_to_end_rows_are_taken_as_they_are() -> None:
    output = np.array([[[1, 2, 3, 4, 0.9, 5], [1, 2, 3, 4, 0.1, 5]]], np.float32)
    found = decode_output(output, Layout.END_TO_END, num_classes=80, conf=0.25)
    assert found.boxes.tolist() == [[1, 2, 3, 4]] and found.classes.tolist() == [5]


@pytest.mark.parametrize(
    ("shape", "num_classes", "end_to_end", "layout"),
    [
        ((1, 84, 8400), 80, None, Layout.CHANNELS_FIRST),
        ((1, 300, 6), 80, None, Layout.END_TO_END),
        ((1, 300, 6), 80, True, Layout.END_TO_END),
        ((1, 6, 8400), 2, None, Layout.CHANNELS_FIRST),  # two classes: 4 + 2 = 6 channels
        ((1, 300, 6), 2, None, Layout.END_TO_END),
        ((1, 300, 38), 80, True, Layout.END_TO_END),  # end-to-end segment
        ((1, 116, 8400), 80, None, Layout.CHANNELS_FIRST),  # segment: 32 mask coefficients
        ((1, 84, 8400), None, None, Layout.CHANNELS_FIRST),  # no names: nc = 84 - 4
    ],
)
def test_layout_is_told_from_shape_and_metadata(shape, num_classes, end_to_end, layout) -> None:
    assert infer_layout(shape, num_classes, end_to_end) is layout


@pytest.mark.parametrize("shape", [(1, 1000), (1, 3, 80, 80, 85), (1, 50, 5)])
def test_other_outputs_are_not_runnable(shape) -> None:
    with pytest.raises(ModelNotRunnable, match=r"detection output|matches neither"):
        infer_layout(shape, 80, None)


def test_nms_keeps_the_best_of_overlapping_boxes() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 9]], np.float32)
    scores = np.array([0.9, 0.95, 0.5, 0.3], np.float32)
    assert nms(boxes, scores, iou_threshold=0.5).tolist() == [1, 2]
    assert nms(boxes, scores, iou_threshold=0.9).tolist() == [1, 0, 2, 3]
    assert nms(boxes, scores, iou_threshold=0.5, max_det=1).tolist() == [1]


def test_nms_is_per_class() -> None:
    boxes = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]], np.float32)
    scores = np.array([0.9, 0.8, 0.7], np.float32)
    classes = np.array([0, 1, 0])
    assert batched_nms(boxes, scores, classes, 0.5).tolist() == [0, 1]
    assert batched_nms(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64), 0.5).size == 0


def test_metadata_literals_are_read_safely() -> None:
    meta = ModelMetadata.from_props(
        {
            "names": "{0: 'widget', 1: 'gadget'}",
            "imgsz": "[384, 640]",
            "task": "detect",
            "end2end": "True",
        }
    )
    assert meta.names == {0: "widget", 1: "gadget"} and meta.imgsz == (384, 640)
    assert meta.end_to_end is True and meta.task == "detect"
    assert ModelMetadata.from_props({"names": "['a', 'b']", "imgsz": "320"}).names == {
        0: "a",
        1: "b",
    }
    # Never evaluated as code; malformed entries count as absent.
    hostile = ModelMetadata.from_props({"names": "__import__('os').system('false')", "imgsz": "[0, 1]"})
    assert hostile.names is None and hostile.imgsz is None
