"""Which hardware runs the networks: a device name to onnxruntime providers.

`cpu` always works. `cuda` / `cuda:N` need the `onnxruntime-gpu` build (it provides
`CUDAExecutionProvider`); asking for it without that build fails loudly at engine
construction rather than quietly running on the CPU.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import onnxruntime as ort

from ulmock.inference.errors import DeviceUnavailable

__all__ = ["DEVICE_ENV", "Device", "resolve_device"]

DEVICE_ENV = "ULMOCK_DEVICE"
_CUDA = re.compile(r"^cuda(?::(\d+))?$")


@dataclass(frozen=True)
class Device:
    name: str  # "cpu" or "cuda:N"
    providers: tuple[Any, ...]  # for onnxruntime.InferenceSession
    torch_device: str  # for ultralytics: "cpu" or "N"


def resolve_device(requested: str | None = None) -> Device:
    """The argument, else `$ULMOCK_DEVICE`, else `cpu`."""
    name = (requested or os.environ.get(DEVICE_ENV) or "cpu").strip().lower()
    if name == "cpu":
        return Device("cpu", ("CPUExecutionProvider",), "cpu")
    match = _CUDA.match(name)
    if match is None:
        raise DeviceUnavailable(f"unknown device '{name}': use 'cpu', 'cuda' or 'cuda:N'")
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        raise DeviceUnavailable(
            f"device '{name}' needs onnxruntime's CUDAExecutionProvider, which this "
            "installation lacks: pip install onnxruntime-gpu (in place of onnxruntime)"
        )
    index = int(match.group(1) or 0)
    cuda = ("CUDAExecutionProvider", {"device_id": index})
    return Device(f"cuda:{index}", (cuda, "CPUExecutionProvider"), str(index))
