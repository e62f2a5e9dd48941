"""Recognising uploaded model files without running them.

A `.pt` is a PyTorch checkpoint: a zip archive holding a `data.pkl` (current format) or a
raw pickle (legacy). An `.onnx` is an ONNX protobuf; Ultralytics exports put the class
names and task in its metadata, which we read so the model describes itself.
"""

from __future__ import annotations

import ast
import io
import zipfile
from dataclasses import dataclass, field

from ulmock.domain.errors import ValidationError

MODEL_EXTENSIONS = (".pt", ".onnx")


@dataclass(frozen=True)
class ModelFileInfo:
    format: str
    task: str | None = None
    class_names: list[str] = field(default_factory=list)


def inspect_model_file(filename: str, data: bytes) -> ModelFileInfo:
    lower = filename.lower()
    if not lower.endswith(MODEL_EXTENSIONS):
        raise ValidationError("Model file must be a .pt or .onnx file", {"file": f"got '{filename}'"})
    if not data:
        raise ValidationError("Model file is empty", {"file": "empty"})
    if lower.endswith(".pt"):
        return _inspect_pt(data)
    return _inspect_onnx(data)


def _inspect_pt(data: bytes) -> ModelFileInfo:
    if data[:2] == b"\x80\x02" or data[:1] == b"\x80":
        return ModelFileInfo("pt")
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            names = []
        if any(n.endswith("data.pkl") for n in names):
            return ModelFileInfo("pt")
    raise ValidationError("File is not a PyTorch checkpoint", {"file": "expected a torch.save() archive"})


def _inspect_onnx(data: bytes) -> ModelFileInfo:
    import onnx  # deferred: only uploads of .onnx files pay for the import

    try:
        model = onnx.load_model_from_string(data)
    except Exception as exc:  # protobuf raises several unrelated types
        raise ValidationError("File is not a valid ONNX model", {"file": str(exc)[:200]}) from exc
    if not model.graph.node and not model.graph.output:
        raise ValidationError("File is not a valid ONNX model", {"file": "no graph"})
    meta = {p.key: p.value for p in model.metadata_props}
    names: list[str] = []
    if "names" in meta:
        try:
            parsed = ast.literal_eval(meta["names"])
            if isinstance(parsed, dict):
                names = [str(parsed[k]) for k in sorted(parsed)]
            elif isinstance(parsed, list):
                names = [str(n) for n in parsed]
        except (ValueError, SyntaxError):
            names = []
    return ModelFileInfo("onnx", meta.get("task"), names)
