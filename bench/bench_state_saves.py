"""How long API requests wait while `--state` saves a world holding large uploads.

`python bench/bench_state_saves.py [--mb 200] [--every 2] [--seconds 12]`

A live server holds `--mb` MB of uploaded weights. Clients call `GET /api/datasets` and
`POST /api/projects` without pause while the state is saved every `--every` seconds, in
three rounds, side by side:

1. no saves at all (what the server's own noise is);
2. the previous way: the whole document, blobs as base64, serialised and written under
   the emulator's lock;
3. ulmock's way: a consistent copy under the lock (no bytes copied), large blobs written
   once beside the state file, everything else serialised and written after the lock.

It prints the worst and the 99th-percentile wait of each round, the saves done, their
durations, the state file's size and the peak RSS. The target: no request waits more
than 100 ms during round 3 with 200 MB of uploads and saves every 2 s.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ulmock.api.app import create_app
from ulmock.atomicfile import write_atomic
from ulmock.domain.entities import RateLimits
from ulmock.emulator import Emulator
from ulmock.persistence import blob_folder, save_state
from ulmock.scenarios import build_emulator, fixed_key
from ulmock.server import ServerThread

KEY = fixed_key("ci-user")


def checkpoint(size: int, salt: int) -> bytes:
    """A torch.save-shaped zip of `size` incompressible bytes (stored, not deflated)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("best/data.pkl", b"\x80\x02}q\x00.")
        z.writestr("best/data/0", os.urandom(size - 64) + salt.to_bytes(64, "big"))
    return buf.getvalue()


def world_with_uploads(megabytes: int) -> Emulator:
    emulator = build_emulator("minimal", mode="manual", start="2026-01-15T09:00:00Z")
    with emulator.lock:
        p = emulator.platform
        account = p.accounts.by_username("ci-user")
        assert account is not None
        account.rate_limits = RateLimits(per_minute=10**9, per_day=10**9)
        account.plan = "enterprise"
        project = p.projects.create(account, "weights", "")
        for i in range(megabytes // 20):
            p.models.upload(account, project.id, f"upload-{i}", f"upload-{i}.pt", checkpoint(20 * 1024 * 1024, i))
    return emulator


def save_the_previous_way(emulator: Emulator, path: Path) -> None:
    """Before ulmock 0.2: everything under the lock, blobs inline as base64."""
    with emulator.lock:
        doc = emulator.snapshot()
        write_atomic(path, json.dumps(doc, separators=(",", ":")).encode(), mode=0o600)


def round_of(
    emulator: Emulator, save: Callable[[Emulator, Path], None] | None, every: float, seconds: float, folder: Path
) -> dict[str, float]:
    path = folder / "state.json"
    waits: list[float] = []
    saves: list[float] = []
    holds: list[float] = []
    stop = threading.Event()
    capture = emulator.capture

    def timed_capture() -> object:  # the part of a save that holds the lock
        began = time.perf_counter()
        try:
            return capture()
        finally:
            holds.append(time.perf_counter() - began)

    emulator.capture = timed_capture  # type: ignore[method-assign]

    def saver() -> None:
        while not stop.wait(every):
            began = time.perf_counter()
            save(emulator, path)  # type: ignore[misc]
            saves.append(time.perf_counter() - began)

    with ServerThread(create_app(emulator)) as server:
        headers = {"Authorization": f"Bearer {KEY}"}

        def client(n: int) -> None:
            with httpx.Client(base_url=server.url, headers=headers, timeout=60) as c:
                i = 0
                while not stop.is_set():
                    began = time.perf_counter()
                    if i % 5 == 0:
                        c.post("/api/projects", json={"name": f"p{n}-{i}"})
                    else:
                        c.get("/api/datasets")
                    waits.append(time.perf_counter() - began)
                    i += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(2)]
        if save is not None:
            threads.append(threading.Thread(target=saver))
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join()
    del emulator.capture
    if save is save_the_previous_way:
        holds = saves  # all of it under the lock
    waits.sort()
    size = path.stat().st_size if path.exists() else 0
    beside = sum(f.stat().st_size for f in blob_folder(path).iterdir()) if blob_folder(path).exists() else 0
    return {
        "requests": len(waits),
        "worst": waits[-1],
        "p99": waits[int(len(waits) * 0.99)],
        "p50": statistics.median(waits),
        "saves": len(saves),
        "save_median": statistics.median(saves) if saves else 0.0,
        "state_mb": size / 1e6,
        "beside_mb": beside / 1e6,
        "hold": max(holds, default=0.0),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=200, help="MB of uploaded weights in the world")
    ap.add_argument("--every", type=float, default=2.0, help="seconds between saves")
    ap.add_argument("--seconds", type=float, default=12.0, help="seconds of load per round")
    args = ap.parse_args()
    emulator = world_with_uploads(args.mb)
    rounds = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, save in (
            ("no saves", None),
            ("previous: all under the lock", save_the_previous_way),
            ("ulmock: copy under the lock, write after", save_state),
        ):
            folder = Path(tmp) / name.split(":")[0].replace(" ", "-")
            folder.mkdir()
            rounds[name] = round_of(emulator, save, args.every, args.seconds, folder)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.mb} MB of uploads, a save every {args.every:g} s, {args.seconds:g} s of load per round, "
        f"2 clients (GET /api/datasets, 1 in 5 POST /api/projects); {os.cpu_count()} cores"
    )
    print(
        f"{'round':<44} {'requests':>8} {'worst':>9} {'p99':>8} {'p50':>7} {'saves':>5} {'save':>7} "
        f"{'lock held':>9} {'state file':>10} {'beside':>8}"
    )
    for name, r in rounds.items():
        print(
            f"{name:<44} {r['requests']:>8.0f} {r['worst'] * 1e3:>7.1f}ms {r['p99'] * 1e3:>6.1f}ms "
            f"{r['p50'] * 1e3:>5.1f}ms {r['saves']:>5.0f} {r['save_median']:>6.2f}s {r['hold'] * 1e3:>7.1f}ms "
            f"{r['state_mb']:>8.1f}MB "
            f"{r['beside_mb']:>6.0f}MB"
        )
    new, old = rounds["ulmock: copy under the lock, write after"], rounds["previous: all under the lock"]
    quiet = rounds["no saves"]
    verdict = "meets" if new["worst"] <= 0.100 else "MISSES"
    print(
        f"worst wait: {new['worst'] * 1e3:.1f} ms now vs {old['worst'] * 1e3:.1f} ms before "
        f"(x{old['worst'] / new['worst']:.1f}) and {quiet['worst'] * 1e3:.1f} ms with no saves at all; "
        f"{verdict} the 100 ms target"
    )
    print(
        f"longest lock hold per save: {new['hold'] * 1e3:.1f} ms now vs {old['hold'] * 1e3:.0f} ms before; "
        f"peak RSS {peak_rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
