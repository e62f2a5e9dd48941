"""In-graph decoding of a Darknet `[yolo]` head into Ultralytics' output layout.

Decoding inside the ONNX graph (rather than in numpy after it) makes the bundled
detector look exactly like an Ultralytics detect export, `[1, 4 + nc, N]` with
(cx, cy, w, h, class scores...), so one decoder serves it and users' exports alike,
and Ultralytics itself can run the converted file. Objectness has no slot in that
layout, so each class score is already σ(objectness) · σ(class logit).

The grid is built from the head's runtime shape, so one file serves any input size
that is a multiple of 32 (416 native, 640 too).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from onnx import TensorProto

from ulmock.inference.onnx_graph import GraphBuilder, int64

__all__ = ["decode_head"]


def decode_head(
    g: GraphBuilder,
    head: str,
    stride: int,
    anchors: Sequence[tuple[float, float]],
    num_classes: int,
) -> str:
    """Turn a raw head `[1, A·(5+nc), h, w]` into `[1, 4+nc, A·h·w]`; returns its name."""
    num_anchors = len(anchors)
    grid = _grid(g, head)

    cells = g.node("Reshape", [head, g.const(int64([1, num_anchors, 5 + num_classes, -1]))])
    split = g.const(int64([2, 2, 1, num_classes]))
    txy, twh, obj, cls = g.nodes("Split", [cells, split], 4, axis=2)

    # Darknet: cx = (σ(tx) + grid_x) · stride and w = e^tw · anchor_w, in input pixels.
    offset = g.node("Add", [g.node("Sigmoid", [txy]), grid])
    xy = g.node("Mul", [offset, g.const(np.array(stride, dtype=np.float32))])
    anchor_wh = np.asarray(anchors, dtype=np.float32).reshape(1, num_anchors, 2, 1)
    wh = g.node("Mul", [g.node("Exp", [twh]), g.const(anchor_wh)])
    scores = g.node("Mul", [g.node("Sigmoid", [obj]), g.node("Sigmoid", [cls])])

    boxes = g.node("Concat", [xy, wh, scores], axis=2)  # [1, A, 4+nc, h·w]
    channels_first = g.node("Transpose", [boxes], perm=[0, 2, 1, 3])
    return g.node("Reshape", [channels_first, g.const(int64([1, 4 + num_classes, -1]))])


def _grid(g: GraphBuilder, head: str) -> str:
    """Cell coordinates `[2, h·w]` (x then y, row-major) from the head's runtime shape."""
    shape = g.node("Shape", [head])
    height = g.node("Gather", [shape, g.const(int64(2))], axis=0)
    width = g.node("Gather", [shape, g.const(int64(3))], axis=0)
    cells = g.node("Mul", [height, width])
    index = g.node("Range", [g.const(int64(0)), cells, g.const(int64(1))])
    axis0 = g.const(int64([0]))
    gx = g.node("Unsqueeze", [g.node("Mod", [index, width]), axis0])
    gy = g.node("Unsqueeze", [g.node("Div", [index, width]), axis0])
    return g.node("Cast", [g.node("Concat", [gx, gy], axis=0)], to=TensorProto.FLOAT)
