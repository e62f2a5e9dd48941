"""Ultralytics' ONNX metadata: Python literals stored as strings, read safely.

Exports write `names` as `"{0: 'person', ...}"`, `imgsz` as `"[640, 640]"` and so on.
`ast.literal_eval` reads them without executing anything; an entry that does not
parse or has the wrong shape is treated as absent rather than trusted.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ModelMetadata"]


@dataclass(frozen=True)
class ModelMetadata:
    names: dict[int, str] | None = None
    imgsz: tuple[int, int] | None = None  # height, width
    task: str | None = None
    end_to_end: bool | None = None

    @classmethod
    def from_props(cls, props: Mapping[str, str]) -> ModelMetadata:
        return cls(
            names=_names(_literal(props.get("names"))),
            imgsz=_imgsz(_literal(props.get("imgsz"))),
            task=props.get("task"),
            end_to_end=_flag(props.get("end2end")),
        )


def _literal(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _names(value: Any) -> dict[int, str] | None:
    if isinstance(value, (list, tuple)):
        value = dict(enumerate(value))
    if not isinstance(value, dict) or not value:
        return None
    try:
        return {int(key): str(name) for key, name in value.items()}
    except (TypeError, ValueError):
        return None


def _imgsz(value: Any) -> tuple[int, int] | None:
    if isinstance(value, int) and value > 0:
        return value, value
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(side, int) and side > 0 for side in value)
    ):
        return int(value[0]), int(value[1])
    return None


def _flag(text: str | None) -> bool | None:
    if text is None:
        return None
    return text.strip().lower() in ("true", "1")
