"""A tiny ONNX graph builder over `onnx.helper`, so converters read like the network.

Each call adds one node and returns its output's generated name; constants become
initializers. Names are sequential, so the same network always serialises to the
same bytes (the fetch command's checksum relies on that).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
from onnx import helper, numpy_helper

__all__ = ["GraphBuilder", "int64"]


def int64(values: int | list[int]) -> npt.NDArray[np.int64]:
    """An int64 array for shape-like constants (ONNX insists on int64 there)."""
    return np.array(values, dtype=np.int64)


class GraphBuilder:
    """Collects nodes and initializers for one graph."""

    def __init__(self) -> None:
        self._nodes: list[onnx.NodeProto] = []
        self._initializers: list[onnx.TensorProto] = []
        self._count = 0

    def _fresh(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}_{self._count}"

    def const(self, array: npt.NDArray[Any], name: str | None = None) -> str:
        """Add an initializer; float64 is narrowed to float32, the network's precision."""
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        tensor_name = name or self._fresh("const")
        self._initializers.append(numpy_helper.from_array(array, tensor_name))
        return tensor_name

    def node(self, op: str, inputs: list[str], name: str | None = None, **attrs: Any) -> str:
        """Add a single-output node and return its output name."""
        return self.nodes(op, inputs, 1, name=name, **attrs)[0]

    def nodes(self, op: str, inputs: list[str], outputs: int, name: str | None = None, **attrs: Any) -> list[str]:
        """Add a node with several outputs (Split) and return their names."""
        node_name = name or self._fresh(op.lower())
        names = [node_name] if outputs == 1 else [f"{node_name}:{i}" for i in range(outputs)]
        self._nodes.append(helper.make_node(op, inputs, names, name=node_name, **attrs))
        return names

    def graph(
        self,
        name: str,
        inputs: list[onnx.ValueInfoProto],
        outputs: list[onnx.ValueInfoProto],
    ) -> onnx.GraphProto:
        return helper.make_graph(self._nodes, name, inputs, outputs, self._initializers)
