"""The Darknet converter, checked against a plain numpy reading of Darknet's semantics.

A small random network exercises every layer kind YOLOv3-tiny uses (batch-normalised
and plain convolutions, both maxpool flavours, upsample, one- and two-layer routes,
two heads); the ONNX graph must agree with the numpy reference to float precision.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnx
import onnxruntime as ort
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from ulmock.inference.darknet import DarknetError, convert, parse_cfg, read_weights

Array = npt.NDArray[np.float64]

TINY_CFG = """
[net]
# comments and spaces around '=' are allowed
width = 32
height=32
channels=3

[convolutional]
batch_normalize=1
filters=4
size=3
stride=1
pad=1
activation=leaky

[maxpool]
size=2
stride=2

[convolutional]
batch_normalize=1
filters=8
size=3
stride=1
pad=1
activation=leaky

[maxpool]
size=2
stride=1

[convolutional]
size=1
stride=1
pad=1
filters=18
activation=linear

[yolo]
mask = 3,4,5
anchors = 4,5, 8,9, 12,14, 20,22, 30,28, 40,44
classes=1
num=6

[route]
layers = -4

[upsample]
stride=2

[route]
layers = -1, 0

[convolutional]
size=1
stride=1
pad=1
filters=18
activation=linear

[yolo]
mask = 0,1,2
anchors = 4,5, 8,9, 12,14, 20,22, 30,28, 40,44
classes=1
num=6
"""
# Layer order of the convolutions above: (in_channels, filters, size, batch_normalize).
TINY_CONVS = [(3, 4, 3, True), (4, 8, 3, True), (8, 18, 1, False), (12, 18, 1, False)]
ONE_CLASS = ["thing"]


def make_weights(rng: np.random.Generator) -> tuple[bytes, list[dict[str, Array]]]:
    """A weights file for TINY_CFG, and the same values per layer for the reference."""
    layers, values = [], []
    for c_in, filters, size, bn in TINY_CONVS:
        layer = {"bias": rng.normal(0, 0.5, filters)}
        values.append(layer["bias"])
        if bn:
            layer |= {
                "scale": rng.normal(1, 0.2, filters),
                "mean": rng.normal(0, 0.3, filters),
                "var": rng.uniform(0.2, 2.0, filters),
            }
            values += [layer["scale"], layer["mean"], layer["var"]]
        layer["kernel"] = rng.normal(0, 0.4, (filters, c_in, size, size))
        values.append(layer["kernel"].ravel())
        layers.append(layer)
    header = np.array([0, 2, 5], "<i4").tobytes() + np.array([32013312], "<i8").tobytes()
    payload = np.concatenate(values).astype("<f4")
    return header + payload.tobytes(), [
        {k: v.astype(np.float32).astype(np.float64) for k, v in layer.items()} for layer in layers
    ]


def ref_conv(x: Array, layer: dict[str, Array], leaky: bool) -> Array:
    kernel = layer["kernel"]
    pad = kernel.shape[-1] // 2
    windows = sliding_window_view(np.pad(x, ((0, 0), (pad, pad), (pad, pad))), kernel.shape[-2:], axis=(1, 2))
    y = np.einsum("chwij,fcij->fhw", windows, kernel)
    if "scale" in layer:  # Darknet's own batch norm: epsilon outside the square root
        norm = (y - layer["mean"][:, None, None]) / (np.sqrt(layer["var"]) + 1e-6)[:, None, None]
        y = norm * layer["scale"][:, None, None]
    y = y + layer["bias"][:, None, None]
    return np.where(y > 0, y, 0.1 * y) if leaky else y


def ref_maxpool(x: Array, stride: int) -> Array:
    padded = np.pad(x, ((0, 0), (0, 1), (0, 1)), constant_values=-np.inf)  # bottom/right
    return sliding_window_view(padded, (2, 2), axis=(1, 2)).max(axis=(-1, -2))[:, ::stride, ::stride]


def ref_network(image: Array, layers: list[dict[str, Array]]) -> tuple[Array, Array]:
    l0 = ref_conv(image, layers[0], leaky=True)
    l2 = ref_conv(ref_maxpool(l0, 2), layers[1], leaky=True)
    head_s2 = ref_conv(ref_maxpool(l2, 1), layers[2], leaky=False)
    upsampled = l2.repeat(2, axis=1).repeat(2, axis=2)
    head_s1 = ref_conv(np.concatenate([upsampled, l0]), layers[3], leaky=False)
    return head_s2, head_s1


def ref_decode(raw: Array, stride: int, anchors: list[tuple[int, int]]) -> Array:
    """The model.md formulas, one anchor at a time: rows cx, cy, w, h, score."""

    def sigmoid(v: Array) -> Array:
        return 1 / (1 + np.exp(-v))

    cells = raw.reshape(3, 6, *raw.shape[1:])
    gy, gx = np.mgrid[0 : raw.shape[1], 0 : raw.shape[2]]
    per_anchor = []
    for a, (aw, ah) in enumerate(anchors):
        t = cells[a]
        per_anchor.append(
            np.stack(
                [
                    (sigmoid(t[0]) + gx) * stride,
                    (sigmoid(t[1]) + gy) * stride,
                    np.exp(t[2]) * aw,
                    np.exp(t[3]) * ah,
                    sigmoid(t[4]) * sigmoid(t[5]),
                ]
            ).reshape(5, -1)
        )
    return np.concatenate(per_anchor, axis=1)


@pytest.fixture(scope="module")
def tiny() -> tuple[onnx.ModelProto, list[dict[str, Array]], bytes]:
    weights, layers = make_weights(np.random.default_rng(7))
    return convert(TINY_CFG, weights, ONE_CLASS), layers, weights


def run(model: onnx.ModelProto, image: Array) -> list[npt.NDArray[np.float32]]:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"images": image[None].astype(np.float32)})


def test_graph_matches_darknet_semantics_layer_by_layer(tiny) -> None:
    model, layers, _ = tiny
    image = np.random.default_rng(1).uniform(0, 1, (3, 32, 32))
    _, raw_s1, raw_s2 = run(model, image)
    want_s2, want_s1 = ref_network(image, layers)
    np.testing.assert_allclose(raw_s2[0], want_s2, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(raw_s1[0], want_s1, rtol=1e-4, atol=1e-4)


def test_heads_are_decoded_in_graph_to_ultralytics_layout(tiny) -> None:
    model, _, _ = tiny
    image = np.random.default_rng(2).uniform(0, 1, (3, 32, 32))
    output0, raw_s1, raw_s2 = run(model, image)
    # Heads come smallest stride first, as in Ultralytics exports: [1, 4 + nc, N].
    want = np.concatenate(
        [
            ref_decode(raw_s1[0].astype(np.float64), 1, [(4, 5), (8, 9), (12, 14)]),
            ref_decode(raw_s2[0].astype(np.float64), 2, [(20, 22), (30, 28), (40, 44)]),
        ],
        axis=1,
    )
    assert output0.shape == (1, 5, 3 * 32 * 32 + 3 * 16 * 16)
    np.testing.assert_allclose(output0[0], want, rtol=1e-4, atol=1e-3)


def test_one_graph_serves_any_multiple_of_the_stride(tiny) -> None:
    model, _, _ = tiny
    output0, raw_s1, raw_s2 = run(model, np.zeros((3, 64, 96)))
    assert raw_s1.shape == (1, 18, 64, 96) and raw_s2.shape == (1, 18, 32, 48)
    assert output0.shape == (1, 5, 3 * (64 * 96 + 32 * 48))


def test_conversion_is_deterministic(tiny) -> None:
    model, _, weights = tiny
    again = convert(TINY_CFG, weights, ONE_CLASS)
    assert again.SerializeToString() == model.SerializeToString()


def test_every_weight_value_must_be_used_exactly(tiny) -> None:
    _, _, weights = tiny
    with pytest.raises(DarknetError, match="left over"):
        convert(TINY_CFG, weights + np.zeros(1, "<f4").tobytes(), ONE_CLASS)
    with pytest.raises(DarknetError, match="end early"):
        convert(TINY_CFG, weights[:-4], ONE_CLASS)


def test_corrupt_batch_norm_values_are_refused(tiny) -> None:
    _, _, weights = tiny
    header = 20
    variances_of_layer_0 = header + 4 * (4 + 4 + 4)  # after 4 biases, 4 scales, 4 means
    corrupt = bytearray(weights)
    corrupt[variances_of_layer_0 : variances_of_layer_0 + 4] = np.array([-1.0], "<f4").tobytes()
    with pytest.raises(DarknetError, match="layer 0: invalid values"):
        convert(TINY_CFG, bytes(corrupt), ONE_CLASS)


def test_weights_header_seen_counter_widens_at_version_0_2() -> None:
    old = np.array([0, 1, 0, 1234], "<i4").tobytes() + np.array([1.5], "<f4").tobytes()
    new = np.array([0, 2, 0], "<i4").tobytes() + np.array([1234], "<i8").tobytes() + np.array([1.5], "<f4").tobytes()
    for data in (old, new):
        parsed = read_weights(data)
        assert parsed.seen == 1234 and parsed.values.tolist() == [1.5]


def test_cfg_parsing_and_refusals() -> None:
    sections = parse_cfg(TINY_CFG)
    assert [s.kind for s in sections][:3] == ["net", "convolutional", "maxpool"]
    assert sections[0].integer("width") == 32
    with pytest.raises(DarknetError, match="must start with a \\[net\\]"):
        parse_cfg("[convolutional]\nfilters=1\n")
    with pytest.raises(DarknetError, match="not supported"):
        convert("[net]\nchannels=3\n[shortcut]\nfrom=-3\n", b"\0" * 20, ONE_CLASS)


def test_class_names_become_ultralytics_spelling(tiny) -> None:
    weights = tiny[2]
    model = convert(TINY_CFG, weights, ["sofa"])
    assert {p.key: p.value for p in model.metadata_props}["names"] == "{0: 'couch'}"
    with pytest.raises(DarknetError, match="2 class names for heads of 1 classes"):
        convert(TINY_CFG, weights, ["thing", "other"])


# The real YOLOv3-tiny, as `ulmock fetch-model` left it in the cache.

YOLOV3_TINY_VALUES = (35_434_956 - 20) // 4  # the weights file, less its 20-byte header
YOLOV3_TINY_BN_FILTERS = 16 + 32 + 64 + 128 + 256 + 512 + 1024 + 256 + 512 + 128 + 256


def test_bundled_model_holds_every_darknet_weight(bundled_model: Path) -> None:
    model = onnx.load(str(bundled_model))
    conv_values = sum(int(np.prod(t.dims)) for t in model.graph.initializer if t.name.startswith("conv"))
    # Batch norm's scale, mean and variance are folded away; every other value remains.
    assert conv_values == YOLOV3_TINY_VALUES - 3 * YOLOV3_TINY_BN_FILTERS


def test_bundled_model_carries_ultralytics_metadata(bundled_model: Path) -> None:
    meta = {p.key: p.value for p in onnx.load(str(bundled_model), load_external_data=False).metadata_props}
    assert meta["task"] == "detect" and meta["imgsz"] == "[416, 416]" and meta["stride"] == "32"
    assert "ulmock" in meta["description"] and "ulmock" in meta["author"]
    assert meta["names"].startswith("{0: 'person', 1: 'bicycle', 2: 'car', 3: 'motorcycle', 4: 'airplane'")
    assert "62: 'tv'" in meta["names"] and "58: 'potted plant'" in meta["names"]
    assert "(344.0, 319.0)" in meta["anchors"]
    assert 34e6 < bundled_model.stat().st_size < 37e6
