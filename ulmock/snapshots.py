"""An emulator's snapshot document: its validation, and its two forms.

- inline (`GET /_ulmock/snapshot`, PUT back verbatim): one self-contained JSON document,
  every blob's bytes in it (base64) except the bundled fixtures', named by their place;
- state file (`--state FILE`): the same, but blobs over `STORED_OVER` bytes are files in
  `FILE.blobs/`, named by their sha256 and written once, so a save does not serialise
  hundreds of megabytes of base64.

`capture` is the only part that runs under the emulator's lock, and it copies no bytes:
blobs are immutable, so holding a reference is a consistent copy. Rendering and writing
happen after the lock is released.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticError

from ulmock.api.faults import FaultSpec
from ulmock.atomicfile import write_atomic
from ulmock.confine import fixture_name
from ulmock.domain.snapshot import FORMAT_VERSION, BlobOut, WorldDump

STORED_OVER = 64 * 1024


class SnapshotError(ValueError):
    """A document that is not a snapshot this ulmock can restore; the message says why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _finite(v: float) -> float:
    if not math.isfinite(v):
        raise ValueError("must be a finite number")
    return v


class DueDump(_Strict):
    at: float
    seq: int = Field(ge=0)
    kind: str = Field(min_length=1, max_length=100)
    payload: dict[str, str]

    _at = field_validator("at")(_finite)


class ClockDump(_Strict):
    model_config = ConfigDict(extra="forbid", strict=True)
    now: float = Field(ge=0)
    mode: Literal["manual", "realtime"]
    speed: float = Field(gt=0, le=1_000_000)
    seq: int = Field(ge=0)
    queue: list[DueDump]

    _now = field_validator("now", "speed")(_finite)


class FaultDump(_Strict):
    id: int = Field(ge=1)
    spec: FaultSpec
    remaining: int | None = Field(ge=0)
    hits: int = Field(ge=0)


class EmulatorPart(_Strict):
    name: str = Field(min_length=1, max_length=500)


class SnapshotDoc(_Strict):
    emulator: EmulatorPart | None = None
    clock: ClockDump
    world: WorldDump
    faults: list[FaultDump] = []


def parse_snapshot(data: Any) -> SnapshotDoc:
    """Validate a whole document; GET's envelope (`{success, data}`) is accepted as it came."""
    if isinstance(data, dict) and data.get("success") is True and set(data) <= {"success", "data", "meta"}:
        data = data.get("data")
    if not isinstance(data, dict):
        raise SnapshotError("a snapshot is a JSON object {emulator, clock, world, faults}")
    try:
        return SnapshotDoc.model_validate(_upgraded(data))
    except PydanticError as exc:
        raise SnapshotError(describe(exc)) from None
    except RecursionError:
        raise SnapshotError("nested too deeply") from None


def _upgraded(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 (ulmock 0.1) gave each blob `data` or a host `path`: a path inside the
    bundled fixtures becomes its `fixture` name; any other path stays, and is refused."""
    world = data.get("world")
    if not isinstance(world, dict) or world.get("version") != 1 or not isinstance(world.get("blobs"), list):
        return data
    blobs = []
    for blob in world["blobs"]:
        if isinstance(blob, dict) and blob.get("data") is None and isinstance(blob.get("path"), str):
            name = fixture_name(blob["path"])
            if name is not None:
                blob = {k: v for k, v in blob.items() if k not in ("data", "path")} | {"fixture": name}
        elif isinstance(blob, dict) and blob.get("path") is None:
            blob = {k: v for k, v in blob.items() if k != "path"}
        blobs.append(blob)
    return {**data, "world": {**world, "version": FORMAT_VERSION, "blobs": blobs}}


def describe(exc: PydanticError) -> str:
    """The first few problems on one line: `clock.speed: Input should be a valid number`."""
    parts = []
    for e in exc.errors()[:3]:
        where = ".".join(str(p) for p in e["loc"])
        parts.append(f"{where}: {e['msg']}" if where else e["msg"])
    more = exc.error_count() - len(parts)
    return "; ".join(parts).replace("\n", " ") + (f" (and {more} more)" if more > 0 else "")


@dataclass(frozen=True)
class Captured:
    """What `capture` took under the lock: the records as JSON-ready data, the blobs apart."""

    doc: dict[str, Any]
    blobs: list[BlobOut]

    def inline(self) -> dict[str, Any]:
        """The self-contained document GET answers with."""
        return self._with_blobs([_inline(b) for b in self.blobs])

    def state_bytes(self, folder: Path) -> tuple[bytes, dict[str, str]]:
        """The state file's bytes; large blobs are written to `folder` first (once each).

        Also returns, per blob id, the file now holding its bytes (to free the memory)."""
        entries, files = [], {}
        for blob in self.blobs:
            size = blob.facts["size"]
            if size <= STORED_OVER or fixture_name(blob.path or "") is not None:
                entries.append(_inline(blob))
                continue
            target = folder / blob.facts["sha256"]
            if not target.exists():
                write_atomic(target, blob.data if blob.data is not None else Path(blob.path or "").read_bytes(), 0o600)
            files[blob.facts["id"]] = str(target)
            entries.append({**blob.facts, "stored": True})
        return orjson.dumps(self._with_blobs(entries)), files

    def _with_blobs(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        return {**self.doc, "world": {**self.doc["world"], "blobs": entries}}


def _inline(blob: BlobOut) -> dict[str, Any]:
    if blob.path is not None and (name := fixture_name(blob.path)) is not None:
        return {**blob.facts, "fixture": name}
    data = blob.data if blob.data is not None else Path(blob.path or "").read_bytes()
    return {**blob.facts, "data": base64.b64encode(data).decode("ascii")}
