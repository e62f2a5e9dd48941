"""ulmock's benchmarks, every figure taken side by side in one run: `python bench/run.py`.

1. Throughput: authenticated `GET /api/datasets` (20 items; rate limit counted, journal on)
   against a bare Starlette route returning the same bytes. Both under uvicorn in their
   own processes, driven one after the other by the same load generator (`wrk` when it is
   installed, else a Python one). The figure that matters is the ratio.
2. Fixture cost: a fresh emulator per test (build + app), and a reset.
3. Clock cost: advancing 24 emulated hours with 1,000 trainings under way.
4. List latency with 100, 10,000 and 100,000 datasets in one account (first, middle and
   last page).

Options: `--duration S` of load per round and server (default 3), `--rounds N` (default 5),
`--quick` for a smoke run.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ulmock.api.app import create_app
from ulmock.domain.entities import RateLimits
from ulmock.scenarios import build_emulator, fixed_key
from ulmock.scenarios.fixtures import add_fixture_dataset
from ulmock.server import ServerThread

KEY = fixed_key("ci-user")
START = "2026-01-15T09:00:00Z"
UNLIMITED = RateLimits(per_minute=10**9, per_day=10**9)


# -- helpers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, headers: dict[str, str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, headers=headers, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up")


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, {platform.system()}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


# -- 1. throughput -------------------------------------------------------------------------------


def load_wrk(url: str, headers: dict[str, str], duration: float, connections: int) -> dict[str, float]:
    args = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, int(duration))}s", "--latency"]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1.0}
    return {
        "rps": rps,
        "errors": float(bad.group(1)) if bad else 0.0,
        "p50": float(p50.group(1)) * scale[p50.group(2)] if p50 else float("nan"),
    }


def load_python(url: str, headers: dict[str, str], duration: float, connections: int) -> dict[str, float]:
    """A fallback generator: threads with keep-alive httpx clients (the GIL caps it)."""
    deadline = time.monotonic() + duration
    counts, errors, latencies = [0] * connections, [0] * connections, [[] for _ in range(connections)]

    def worker(i: int) -> None:
        with httpx.Client(headers=headers, timeout=30) as c:
            while time.monotonic() < deadline:
                t = time.perf_counter()
                r = c.get(url)
                latencies[i].append(time.perf_counter() - t)
                counts[i] += 1
                errors[i] += r.status_code != 200

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {
        "rps": sum(counts) / elapsed,
        "errors": float(sum(errors)),
        "p50": statistics.median([x for xs in latencies for x in xs]),
    }


def throughput(duration: float, rounds: int) -> list[tuple[str, str]]:
    generator = "wrk" if shutil.which("wrk") else "python"
    load = load_wrk if generator == "wrk" else load_python
    connections = 8 if generator == "wrk" else 4
    headers = {"Authorization": f"Bearer {KEY}"}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        port_u = free_port()
        procs.append(subprocess.Popen([sys.executable, str(ROOT / "bench" / "serve.py"), "ulmock", str(port_u)]))
        url_u = f"http://127.0.0.1:{port_u}/api/datasets"
        wait_ready(url_u, headers)
        body = httpx.get(url_u, headers=headers).content
        assert len(httpx.get(url_u, headers=headers).json()["data"]) == 20
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            f.write(body)
        port_b = free_port()
        procs.append(subprocess.Popen([sys.executable, str(ROOT / "bench" / "serve.py"), "bare", str(port_b), f.name]))
        url_b = f"http://127.0.0.1:{port_b}/api/datasets"
        wait_ready(url_b, headers)
        assert httpx.get(url_b).content == body
        load(url_u, headers, 1, connections)  # warm both
        load(url_b, headers, 1, connections)
        # Short alternating rounds, so a neighbour's load hits both sides alike; medians.
        bares, ulms = [], []
        for i in range(rounds):
            pair = [(url_b, bares), (url_u, ulms)]
            for url, results in pair if i % 2 == 0 else pair[::-1]:
                results.append(load(url, headers, duration, connections))
        os.unlink(f.name)
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
    ratio = statistics.median(u["rps"] / b["rps"] for u, b in zip(ulms, bares, strict=False))
    bare = {k: statistics.median(r[k] for r in bares) for k in bares[0]}
    ulm = {k: statistics.median(r[k] for r in ulms) for k in ulms[0]}
    ulm["errors"] = sum(r["errors"] for r in ulms)
    return [
        (
            f"GET /api/datasets, bare Starlette ({generator}, {connections} conns)",
            f"{bare['rps']:,.0f} req/s, p50 {ms(bare['p50'])}",
        ),
        (
            "GET /api/datasets, ulmock (auth, rate limit, journal)",
            f"{ulm['rps']:,.0f} req/s, p50 {ms(ulm['p50'])}, non-2xx {ulm['errors']:.0f}",
        ),
        (f"ratio ulmock / bare, median of {rounds} alternating rounds (target >= 0.6)", f"{ratio:.2f}"),
    ]


# -- 2. fixture cost -----------------------------------------------------------------------------


def fixture_cost(rounds: int) -> list[tuple[str, str]]:
    build, reset = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        emulator = build_emulator("minimal", mode="manual", start=START)
        create_app(emulator)
        build.append(time.perf_counter() - t)
        t = time.perf_counter()
        emulator.reset()
        reset.append(time.perf_counter() - t)
        emulator.stop()
    return [
        ("fresh emulator + app per test (minimal world), median", ms(statistics.median(build))),
        ("emulator.reset(), median", ms(statistics.median(reset))),
        in_process_list(rounds),
    ]


def in_process_list(rounds: int, calls: int = 500) -> tuple[str, str]:
    """The fixture's `.asgi` client: an authenticated list of 20 datasets, no socket."""
    from ulmock.testing import Ulmock

    emulator = build_emulator("minimal", mode="manual", start=START)
    with emulator.lock:
        p = emulator.platform
        account = p.accounts.by_username("ci-user")
        account.rate_limits = UNLIMITED
        for i in range(20 - p.datasets.list(account, 1, 1).total):
            p.datasets.create(account, f"Bench dataset {i}", "detect", "for the benchmark")
    handle = Ulmock(emulator, "http://127.0.0.1:9")  # .url is never dialled by .asgi
    client = handle.asgi
    assert len(client.get("/api/datasets").json()["data"]) == 20
    wall, cpu = [], []
    for _ in range(max(3, rounds // 2)):
        t, c = time.perf_counter(), time.thread_time()
        for _ in range(calls):
            client.get("/api/datasets")
        wall.append((time.perf_counter() - t) / calls)
        cpu.append((time.thread_time() - c) / calls)  # all of it runs on this thread; neighbours' load excluded
    handle.close()
    return (
        "in-process `.asgi` authenticated list (20 items), best round: wall / this thread's CPU (target < 150 us)",
        f"{min(wall) * 1e6:.0f} us / {min(cpu) * 1e6:.0f} us",
    )


# -- 3. clock cost -------------------------------------------------------------------------------


def clock_cost(trainings: int, epochs: int) -> list[tuple[str, str]]:
    emulator = build_emulator("minimal", mode="manual", start=START)
    p = emulator.platform
    samples = ROOT / "fixtures" / "datasets" / "darknet-samples"
    per_account = 100  # the enterprise plan's concurrent trainings
    with emulator.lock:
        for a in range((trainings + per_account - 1) // per_account):
            account, _ = p.accounts.create(f"bench{a}", "enterprise", cash_balance=10**15, rate_limits=UNLIMITED)
            dataset = add_fixture_dataset(p, account, samples, "samples")
            project = p.projects.create(account, "bench", quiet=True)
            for i in range(min(per_account, trainings - a * per_account)):
                model = p.models.create(account, project.id, f"m{i}", quiet=True)
                p.trainings.start(account, model.id, dataset.id, epochs, 640, "rtx-4090")
    pending = len(emulator.clock.pending())
    fired = 0
    original = emulator.clock._fire_until  # count the events as they fire

    def counting(target: float) -> int:
        nonlocal fired
        n = original(target)
        fired += n
        return n

    emulator.clock._fire_until = counting  # type: ignore[method-assign]
    t = time.perf_counter()
    emulator.advance(86_400)
    elapsed = time.perf_counter() - t
    with emulator.lock:
        done = sum(
            1 for table in p.world.trainings.by_account.values() for tr in table.values() if tr.status == "completed"
        )
    emulator.stop()
    return [
        (f"advance 24 h, {trainings:,} trainings x {epochs} epochs ({pending:,} due at start)", f"{elapsed:.2f} s"),
        ("events fired / trainings completed", f"{fired:,} / {done:,}"),
        ("cost per event", f"{elapsed / max(fired, 1) * 1e6:.0f} us"),
    ]


# -- 4. list latency ------------------------------------------------------------------------------


def list_latency(sizes: list[int], samples: int) -> list[tuple[str, str]]:
    rows = []
    for n in sizes:
        emulator = build_emulator("minimal", mode="manual", start=START)
        p = emulator.platform
        with emulator.lock:
            account, key = p.accounts.create("lister", "enterprise", rate_limits=UNLIMITED)
            for i in range(n):
                p.datasets.create(account, f"d{i}", "detect", quiet=True)
        last = (n + 19) // 20
        with (
            ServerThread(create_app(emulator)) as server,
            httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key.secret}"}) as c,
        ):
            figures = []
            for page in (1, max(1, last // 2), last):
                c.get("/api/datasets", params={"page": page})
                times = []
                for _ in range(samples):
                    t = time.perf_counter()
                    r = c.get("/api/datasets", params={"page": page})
                    times.append(time.perf_counter() - t)
                    assert r.status_code == 200 and r.json()["meta"]["total"] == n
                figures.append(statistics.median(times))
        emulator.stop()
        label = f"list {n:,} datasets: page 1 / middle / last (p. {last:,}), median"
        rows.append((label, " / ".join(ms(f) for f in figures)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=3.0, help="seconds of load per round and server")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of load")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    quick = args.quick
    sections = [
        ("Throughput", lambda: throughput(1 if quick else args.duration, 2 if quick else args.rounds)),
        ("Fixture cost", lambda: fixture_cost(3 if quick else 20)),
        ("Clock cost", lambda: clock_cost(100 if quick else 1000, 20)),
        ("List latency", lambda: list_latency([100, 1000] if quick else [100, 10_000, 100_000], 20 if quick else 200)),
    ]
    print(f"machine: {machine()}\n")
    print("| measure | result |\n|---|---|")
    for title, run in sections:
        t = time.perf_counter()
        for name, value in run():
            print(f"| {title}: {name} | {value} |", flush=True)
        print(f"<!-- {title} took {time.perf_counter() - t:.1f} s -->", file=sys.stderr)


if __name__ == "__main__":
    main()
