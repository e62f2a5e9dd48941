"""The whole world as JSON and back, exactly: records, blobs, counters, id generator.

A dump is validated completely (`WorldDump`) before anything is built from it, and it
is loaded into a fresh world, never into the one in use: a refused dump changes nothing.

Blobs carry no paths. Each one's bytes are inline (`data`, base64), a file of the bundled
fixtures by its name there (`fixture`), or, in a state file only, a file beside it named
by the digest (`stored`). The caller resolves names to files, and confines them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ulmock.domain import analysis, batches, deployments, exports, gdpr, ingest, training, trash, webhooks
from ulmock.domain.entities import Account, Blob, CheckoutSession
from ulmock.domain.scripts import Scripts
from ulmock.domain.signing import UrlSigner
from ulmock.domain.world import RateWindow, World, record_types

FORMAT_VERSION = 2
_RNG_STATE_LENGTH = 625  # random.Random's Mersenne Twister: 624 words and a position


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BlobDump(_Strict):
    id: str = Field(min_length=1, max_length=200)
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: str = Field(min_length=1, max_length=200)
    data: str | None = None
    fixture: str | None = Field(None, min_length=1, max_length=1000)
    stored: Literal[True] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> BlobDump:
        if sum(x is not None for x in (self.data, self.fixture, self.stored)) != 1:
            raise ValueError("a blob needs exactly one of data, fixture or stored")
        return self


class WorldDump(_Strict):
    version: int
    seed: int | None
    secret: str = Field(min_length=16, max_length=1000)
    rng: tuple[int, list[int], float | None]
    accounts: list[Account]
    tables: dict[str, dict[str, list[dict[str, Any]]]]
    blobs: list[BlobDump]
    checkouts: list[CheckoutSession]
    scripts: Scripts = Scripts()
    rateWindows: dict[str, tuple[int, int, int, int]]

    @field_validator("version")
    @classmethod
    def _known_version(cls, v: int) -> int:
        if v != FORMAT_VERSION:
            raise ValueError(f"unsupported snapshot version {v} (this ulmock reads {FORMAT_VERSION})")
        return v

    @field_validator("rng")
    @classmethod
    def _rng_state(cls, v: tuple[int, list[int], float | None]) -> tuple[int, list[int], float | None]:
        if len(v[1]) != _RNG_STATE_LENGTH or not all(0 <= x < 2**32 for x in v[1][:-1]):
            raise ValueError("not a random generator state")
        if v[2] is not None and not math.isfinite(v[2]):
            raise ValueError("not a random generator state")
        return v

    @field_validator("tables")
    @classmethod
    def _known_tables(cls, v: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, Any]:
        types = record_types()
        unknown = set(v) - set(types)
        if unknown:
            raise ValueError(f"unknown tables {sorted(unknown)}")
        for kind, per_account in v.items():
            record_type = types[kind]
            for rows in per_account.values():
                for i, raw in enumerate(rows):
                    rows[i] = record_type.model_validate(raw)  # type: ignore[call-overload]
        return v


# What each kind of scheduled event carries: its handler reads these keys.
EVENT_PAYLOADS: dict[str, tuple[str, ...]] = {
    training.EVENT: ("accountId", "trainingId"),
    exports.EVENT: ("accountId", "exportId"),
    deployments.EVENT: ("accountId", "deploymentId", "from"),
    trash.PURGE_EVENT: ("accountId", "itemId"),
    webhooks.RETRY_EVENT: ("accountId", "deliveryId"),
    gdpr.EXPIRE_EVENT: ("accountId", "exportId"),
    ingest.EVENT: ("accountId", "datasetId", "jobId"),
    batches.EVENT: ("accountId", "batchId"),
    analysis.EVENT: ("accountId", "analysisId"),
}


def check_event(kind: str, payload: dict[str, str]) -> None:
    """A scheduled event a restored clock may hold: a known kind with what its handler reads."""
    keys = EVENT_PAYLOADS.get(kind)
    if keys is None:
        raise ValueError(f"clock.queue: unknown event kind '{kind}'")
    missing = [k for k in keys if k not in payload]
    if missing:
        raise ValueError(f"clock.queue: a '{kind}' event needs {', '.join(missing)}")


@dataclass(frozen=True)
class BlobOut:
    """One blob as a dump holds it: its facts, and where its bytes are (read later, outside the lock)."""

    facts: dict[str, Any]
    data: bytes | None
    path: str | None


# Where a blob's file is: a fixture's name -> its path, or a digest -> a stored file.
FileResolver = Callable[[str], Path]


def dump_world(w: World) -> tuple[dict[str, Any], list[BlobOut]]:
    """The records as JSON-ready data, and the blobs apart: their bytes are not copied."""
    version, internal, gauss = w.ids.state()
    doc = {
        "version": FORMAT_VERSION,
        "seed": w.seed,
        "secret": w.secret,
        "rng": [version, list(internal), gauss],
        "accounts": [a.model_dump(mode="json") for a in w.accounts.values()],
        "tables": {
            name: {
                acc: [r.model_dump(mode="json") for r in table.values()]
                for acc, table in kind.by_account.items()
                if len(table)  # a lookup leaves an empty table behind; it is no data
            }
            for name, kind in w.kinds.items()
        },
        "checkouts": [c.model_dump(mode="json") for c in w.checkouts.values()],
        "scripts": w.scripts.model_dump(mode="json"),
        "rateWindows": {
            acc: [r.minute_start, r.minute_count, r.day_start, r.day_count] for acc, r in w.rate_windows.items()
        },
    }
    blobs = [
        BlobOut({"id": b.id, "size": b.size, "sha256": b.sha256, "content_type": b.content_type}, b.data, b.path)
        for b in w.blobs.blobs.values()
    ]
    return doc, blobs


def load_world(w: World, dump: WorldDump, fixture: FileResolver, stored: FileResolver | None) -> None:
    """Fill a fresh world from a validated dump (the clock is restored separately).

    Raises ValueError when a blob's bytes are missing or are not what its digest says."""
    w.seed = dump.seed
    w.secret = dump.secret
    w.signer = UrlSigner(w.secret)
    version, internal, gauss = dump.rng
    try:
        w.ids.restore((version, tuple(internal), gauss))
    except (ValueError, TypeError):
        raise ValueError("world.rng is not a random generator state") from None
    w.accounts = {a.id: a for a in dump.accounts}
    w.usernames = {a.username: a.id for a in w.accounts.values() if not a.deleted}
    w.blobs.blobs = {b.id: _load_blob(b, fixture, stored) for b in dump.blobs}
    w.checkouts = {c.id: c for c in dump.checkouts}
    w.scripts = dump.scripts
    w.rate_windows = {}
    for acc, (ms, mc, ds, dc) in dump.rateWindows.items():
        window = RateWindow()
        window.minute_start, window.minute_count, window.day_start, window.day_count = ms, mc, ds, dc
        w.rate_windows[acc] = window
    for kind, per_account in dump.tables.items():
        for acc, rows in per_account.items():
            w.kind(kind).load(acc, rows)


def _load_blob(b: BlobDump, fixture: FileResolver, stored: FileResolver | None) -> Blob:
    facts = {"id": b.id, "size": b.size, "sha256": b.sha256, "content_type": b.content_type}
    if b.data is not None:
        try:
            data = base64.b64decode(b.data, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"blob {b.id}: data is not base64") from None
        _check(b, data)
        return Blob(**facts, data=data)
    if b.fixture is not None:
        path = fixture(b.fixture)
    elif stored is not None:
        path = stored(b.sha256)
    else:
        raise ValueError(f"blob {b.id}: 'stored' blobs are only read from a state file's folder")
    try:
        _check(b, path.read_bytes())
    except OSError:
        raise ValueError(f"blob {b.id}: its file is missing") from None
    return Blob(**facts, path=str(path))


def _check(b: BlobDump, data: bytes) -> None:
    if len(data) != b.size or hashlib.sha256(data).hexdigest() != b.sha256:
        raise ValueError(f"blob {b.id}: its bytes do not match its size and sha256")
