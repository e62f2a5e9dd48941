"""Stand-ins for users' Ultralytics exports, built with `onnx.helper` in a few lines.

Each model answers a fixed tensor (what a real network would have predicted) but
computes it from its input, so onnxruntime really runs a graph fed by the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def constant_detector(
    path: Path,
    answer: np.ndarray,
    *,
    names: Mapping[int, str] | None = None,
    input_shape: Sequence[int | str] = (1, 3, 64, 64),
    metadata: Mapping[str, str] | None = None,
) -> Path:
    """Write an ONNX model whose `output0` is `answer` for any image."""
    zero = helper.make_node("ReduceMean", ["images"], ["mean"], keepdims=0)
    scaled = helper.make_node("Mul", ["mean", "zero"], ["nothing"])
    output = helper.make_node("Add", ["answer", "nothing"], ["output0"])
    graph = helper.make_graph(
        [zero, scaled, output],
        "stand-in",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, list(input_shape))],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, list(answer.shape))],
        [
            numpy_helper.from_array(answer.astype(np.float32), "answer"),
            numpy_helper.from_array(np.array(0, np.float32), "zero"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    props = {"task": "detect", "author": "Ultralytics"} | dict(metadata or {})
    if names is not None:
        props["names"] = str(dict(names))
    helper.set_model_props(model, props)
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return path


def channels_first(rows: Sequence[Sequence[float]]) -> np.ndarray:
    """Candidate rows (cx, cy, w, h, score per class) → `[1, 4 + nc, N]`."""
    return np.array(rows, np.float32).T[None]
