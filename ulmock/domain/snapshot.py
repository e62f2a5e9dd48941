"""The whole world as JSON and back, exactly: records, blobs, counters, id generator."""

from __future__ import annotations

from typing import Any

from ulmock.domain.entities import Account, ApiKey, Blob, CheckoutSession
from ulmock.domain.scripts import Scripts
from ulmock.domain.signing import UrlSigner
from ulmock.domain.world import TABLES, RateWindow, World

FORMAT_VERSION = 1


def dump_world(w: World) -> dict[str, Any]:
    version, internal, gauss = w.ids.state()
    return {
        "version": FORMAT_VERSION,
        "seed": w.seed,
        "secret": w.secret,
        "rng": [version, list(internal), gauss],
        "accounts": [a.model_dump(mode="json") for a in w.accounts.values()],
        "tables": {
            kind: {acc: [r.model_dump(mode="json") for r in table.values()] for acc, table in w.tables_of(kind).items()}
            for kind in TABLES
        },
        "blobs": [b.model_dump(mode="json") for b in w.blobs.blobs.values()],
        "checkouts": [c.model_dump(mode="json") for c in w.checkouts.values()],
        "scripts": w.scripts.model_dump(mode="json"),
        "rateWindows": {
            acc: [r.minute_start, r.minute_count, r.day_start, r.day_count] for acc, r in w.rate_windows.items()
        },
    }


def load_world(w: World, data: dict[str, Any]) -> None:
    """Replace `w`'s contents with a dump (the clock is restored separately)."""
    if data.get("version") != FORMAT_VERSION:
        raise ValueError(f"unsupported snapshot version {data.get('version')!r}")
    w.seed = data["seed"]
    w.secret = data["secret"]
    w.signer = UrlSigner(w.secret)
    version, internal, gauss = data["rng"]
    w.ids.restore((version, tuple(internal), gauss))
    w.accounts = {a.id: a for a in (Account.model_validate(x) for x in data["accounts"])}
    w.usernames = {a.username: a.id for a in w.accounts.values() if not a.deleted}
    w.blobs.blobs = {b.id: b for b in (Blob.model_validate(x) for x in data["blobs"])}
    w.checkouts = {c.id: c for c in (CheckoutSession.model_validate(x) for x in data["checkouts"])}
    w.scripts = Scripts.model_validate(data.get("scripts", {}))
    w.rate_windows = {}
    for acc, (ms, mc, ds, dc) in data["rateWindows"].items():
        window = RateWindow()
        window.minute_start, window.minute_count, window.day_start, window.day_count = ms, mc, ds, dc
        w.rate_windows[acc] = window
    w.keys, w.key_by_secret = {}, {}
    for kind, (record_type, _) in TABLES.items():
        w.tables_of(kind).clear()
        for acc, rows in data["tables"].get(kind, {}).items():
            table = w.table(kind, acc)
            for raw in rows:
                row = record_type.model_validate(raw)
                table.add(row.id, row)  # type: ignore[attr-defined]
                if isinstance(row, ApiKey):
                    w.keys[row.id] = row
                    w.key_by_secret[row.secret] = row.id
