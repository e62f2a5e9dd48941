"""ulmock against the tools people pick instead, side by side in one run: `python bench/peers.py`.

Every server answers an authenticated `GET /api/datasets` with the same bytes (the 20-item
page ulmock serves): ulmock on each server it offers (auth, rate limit, journal, state),
the same bytes from a bare Starlette route under uvicorn and granian, WireMock (a warm
static stub matching the key), Prism (an OpenAPI example, security checked) and the
Mockoon CLI (a route with a header rule). moto_server cannot serve foreign bytes; it
answers S3 ListBuckets with 20 buckets. Load: `wrk -t1 -c16`, 4 s per server and
round, in alternating order so a neighbour's load falls on all alike; ratios per round,
between servers measured one right after the other (ulmock and bare Starlette under the
same server; ulmock under granian and WireMock).

On a machine with two or more CPUs every server runs on one CPU of its own and wrk on
another (`taskset`), so the load generator never takes the server's core and every
server has the same single core, WireMock's JVM included; `--no-pin` lets the
scheduler place them.

What is missing is installed into bench/.cache/ (git-ignored): the npm packages
`wiremock` (its standalone jar; needs Java 17+), `@stoplight/prism-cli`, `@mockoon/cli`;
`moto[server]` in a venv of its own; `granian` into this interpreter; `wrk` with apt-get
when run as root. A peer that cannot be installed or started is reported and skipped.

Options: `--duration S` (4), `--rounds N` (2), `--only NAME,...`, `--no-pin`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
NPM = CACHE / "npm"
MOTO_VENV = CACHE / "moto-venv"
NPM_PACKAGES = {"wiremock": "3.13.2", "@stoplight/prism-cli": "5.16.0", "@mockoon/cli": "9.9.0"}
MOTO = "moto[server]==5.2.5"
sys.path.insert(0, str(ROOT))

from bench.run import machine
from ulmock.scenarios import fixed_key

KEY = fixed_key("ci-user")
AUTH = {"Authorization": f"Bearer {KEY}"}
# moto needs a SigV4-shaped header to know the service; it does not check the signature.
S3_AUTH = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIABENCHMARK/20260115/us-east-1/s3/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
    "x-amz-date": "20260115T090000Z",
    "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
}


def log(message: str) -> None:
    print(f"peers: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_quiet(args: list[str], **kwargs: object) -> None:
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])} ... failed: {(done.stderr or done.stdout)[-800:]}")


# -- installing what is missing ------------------------------------------------------------


def ensure_wrk() -> str:
    if shutil.which("wrk"):
        return "wrk"
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk with apt-get")
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True)
        run_quiet(["apt-get", "install", "-y", "-qq", "wrk"], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if not shutil.which("wrk"):
        raise SystemExit("peers: needs wrk (apt-get install wrk, brew install wrk)")
    return "wrk"


def ensure_npm() -> None:
    missing = [p for p in NPM_PACKAGES if not (NPM / "node_modules" / p / "package.json").exists()]
    if not missing:
        return
    if not shutil.which("npm"):
        raise RuntimeError("npm is not installed")
    log(f"installing {', '.join(missing)} from npm into {NPM}")
    NPM.mkdir(parents=True, exist_ok=True)
    specs = [f"{p}@{v}" for p, v in NPM_PACKAGES.items()]
    run_quiet(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", str(NPM), *specs])


def ensure_moto() -> Path:
    server = MOTO_VENV / "bin" / "moto_server"
    if not server.exists():
        log(f"installing {MOTO} into {MOTO_VENV}")
        run_quiet([sys.executable, "-m", "venv", str(MOTO_VENV)])
        run_quiet([str(MOTO_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", MOTO])
    return server


def ensure_granian() -> None:
    try:
        import granian  # noqa: F401
    except ImportError:
        log("installing granian (ulmock's `fast` extra) into this interpreter")
        run_quiet([sys.executable, "-m", "pip", "install", "--quiet", "granian>=2.8"])


def version_of(package: str) -> str:
    try:
        return str(json.loads((NPM / "node_modules" / package / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return "?"


# -- where things run ----------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """The CPU wrk runs on and the one every server runs on; None: anywhere."""

    load: int | None = None
    server: int | None = None

    @staticmethod
    def choose(pin: bool) -> Placement:
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        if not pin or len(cpus) < 2 or not shutil.which("taskset"):
            return Placement()
        return Placement(load=cpus[0], server=cpus[1])

    def wrap(self, cpu: int | None, command: list[str]) -> list[str]:
        return command if cpu is None else ["taskset", "-c", str(cpu), *command]

    def describe(self) -> str:
        if self.server is None:
            return "not pinned"
        return f"each server on CPU {self.server}, wrk on CPU {self.load}"


PLACEMENT = Placement()


# -- the servers ---------------------------------------------------------------------------


@dataclass
class Peer:
    name: str
    start: Callable[[int, Path], list[str]]  # port, work dir -> command
    url_path: str = "/api/datasets"
    headers: dict[str, str] = field(default_factory=lambda: dict(AUTH))
    prepare: Callable[[str], None] | None = None  # base URL -> set-up requests
    warm_seconds: float = 2.0
    same_bytes: bool = True
    proc: subprocess.Popen[bytes] | None = None
    url: str = ""
    rates: list[float] = field(default_factory=list)
    body_size: int = 0
    note: str = ""


def python_server(kind: str, server: str) -> Callable[[int, Path], list[str]]:
    def command(port: int, work: Path) -> list[str]:
        args = [sys.executable, str(ROOT / "bench" / "serve.py"), kind, str(port)]
        if kind == "bare":
            args.append(str(work / "body.json"))
        return [*args, "--server", server]

    return command


def wiremock(port: int, work: Path) -> list[str]:
    root = work / "wiremock"
    (root / "mappings").mkdir(parents=True, exist_ok=True)
    (root / "__files").mkdir(exist_ok=True)
    shutil.copy(work / "body.json", root / "__files" / "datasets.json")
    stub = {
        "request": {
            "method": "GET",
            "url": "/api/datasets",
            "headers": {"Authorization": {"equalTo": AUTH["Authorization"]}},
        },
        "response": {"status": 200, "bodyFileName": "datasets.json", "headers": {"Content-Type": "application/json"}},
    }
    (root / "mappings" / "datasets.json").write_text(json.dumps(stub))
    jar = next((NPM / "node_modules" / "wiremock").rglob("wiremock-standalone-*.jar"))
    return [
        "java",
        "-jar",
        str(jar),
        "--port",
        str(port),
        "--bind-address",
        "127.0.0.1",
        "--root-dir",
        str(root),
        "--disable-banner",
    ]


def prism(port: int, work: Path) -> list[str]:
    example = json.loads((work / "body.json").read_bytes())
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "datasets", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": {
            "/api/datasets": {
                "get": {
                    "responses": {
                        "200": {"description": "a page", "content": {"application/json": {"example": example}}}
                    }
                }
            }
        },
    }
    (work / "prism.json").write_text(json.dumps(spec))
    return [
        str(NPM / "node_modules" / ".bin" / "prism"),
        "mock",
        str(work / "prism.json"),
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "--errors",
        "false",
    ]


def mockoon(port: int, work: Path) -> list[str]:
    route = {
        "uuid": "route-datasets",
        "type": "http",
        "method": "get",
        "endpoint": "api/datasets",
        "documentation": "",
        "responses": [
            {
                "uuid": "response-ok",
                "body": (work / "body.json").read_text(),
                "latency": 0,
                "statusCode": 200,
                "label": "",
                "headers": [{"key": "Content-Type", "value": "application/json"}],
                "bodyType": "INLINE",
                "filePath": "",
                "databucketID": "",
                "sendFileAsBody": False,
                "rulesOperator": "OR",
                "rules": [
                    {
                        "target": "header",
                        "modifier": "Authorization",
                        "value": AUTH["Authorization"],
                        "invert": False,
                        "operator": "equals",
                    }
                ],
                "disableTemplating": True,
                "fallbackTo404": False,
                "default": True,
                "crudKey": "id",
                "callbacks": [],
            }
        ],
        "responseMode": None,
        "streamingMode": None,
        "streamingInterval": 0,
    }
    environment = {
        "uuid": "ulmock-bench",
        "lastMigration": 33,
        "name": "datasets",
        "endpointPrefix": "",
        "latency": 0,
        "port": port,
        "hostname": "127.0.0.1",
        "folders": [],
        "routes": [route],
        "rootChildren": [{"type": "route", "uuid": "route-datasets"}],
        "proxyMode": False,
        "proxyHost": "",
        "proxyRemovePrefix": False,
        "tlsOptions": {
            "enabled": False,
            "type": "CERT",
            "pfxPath": "",
            "certPath": "",
            "keyPath": "",
            "caPath": "",
            "passphrase": "",
        },
        "cors": False,
        "headers": [],
        "proxyReqHeaders": [],
        "proxyResHeaders": [],
        "data": [],
        "callbacks": [],
    }
    (work / "mockoon.json").write_text(json.dumps(environment))
    return [
        str(NPM / "node_modules" / ".bin" / "mockoon-cli"),
        "start",
        "--data",
        str(work / "mockoon.json"),
        "--port",
        str(port),
        "--disable-log-to-file",
    ]


def moto(port: int, work: Path) -> list[str]:
    return [str(MOTO_VENV / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]


def twenty_buckets(base: str) -> None:
    for i in range(20):
        r = httpx.put(f"{base}/ulmock-bench-bucket-{i:02d}", headers=S3_AUTH)
        r.raise_for_status()


def start(peer: Peer, work: Path) -> None:
    port = free_port()
    command = peer.start(port, work)
    command = PLACEMENT.wrap(PLACEMENT.server, command)
    peer.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work)
    peer.url = f"http://127.0.0.1:{port}{peer.url_path}"


def wait_ready(peer: Peer, timeout: float = 120) -> bytes:
    deadline = time.monotonic() + timeout
    base = peer.url[: -len(peer.url_path)]
    prepared = peer.prepare is None
    while time.monotonic() < deadline:
        if peer.proc is not None and peer.proc.poll() is not None:
            raise RuntimeError(f"exited with {peer.proc.returncode}")
        try:
            if not prepared:
                peer.prepare(base)  # type: ignore[misc]
                prepared = True
            r = httpx.get(peer.url, headers=peer.headers, timeout=5)
            if r.status_code == 200:
                return r.content
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("did not answer 200 in time")


def stop(peer: Peer) -> None:
    if peer.proc is not None and peer.proc.poll() is None:
        peer.proc.terminate()
        try:
            peer.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            peer.proc.kill()
            peer.proc.wait()


# -- load ------------------------------------------------------------------------------------


def wrk(peer: Peer, seconds: float) -> float:
    args = ["wrk", "-t1", "-c16", f"-d{max(1, round(seconds))}s"]
    for k, v in peer.headers.items():
        args += ["-H", f"{k}: {v}"]
    command = PLACEMENT.wrap(PLACEMENT.load, [*args, peer.url])
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if bad:
        raise RuntimeError(f"{peer.name}: {bad.group(1)} non-2xx answers under load")
    return rate


def peers() -> list[Peer]:
    """In the order measured: the two sides of each ratio stand next to each other."""
    return [
        Peer("ulmock, uvicorn (auth, rate limit, journal, state)", python_server("ulmock", "uvicorn")),
        Peer("bare Starlette route, uvicorn", python_server("bare", "uvicorn")),
        Peer("ulmock, granian (auth, rate limit, journal, state)", python_server("ulmock", "granian")),
        Peer(f"WireMock {version_of('wiremock')} standalone, static stub, JVM warm", wiremock, warm_seconds=8),
        Peer("bare Starlette route, granian", python_server("bare", "granian")),
        Peer(f"Prism {version_of('@stoplight/prism-cli')} (static example)", prism),
        Peer(f"Mockoon CLI {version_of('@mockoon/cli')}", mockoon),
        Peer(
            "moto_server 5.2.5, S3 ListBuckets (20)",
            moto,
            url_path="/",
            headers=dict(S3_AUTH),
            prepare=twenty_buckets,
            same_bytes=False,
        ),
    ]


def spread(rates: list[float]) -> str:
    return f"{min(rates):,.0f} – {max(rates):,.0f}" if len(rates) > 1 else f"{rates[0]:,.0f}"


def ratio_range(a: Peer, b: Peer) -> str:
    ratios = [x / y for x, y in zip(a.rates, b.rates, strict=False)]
    return f"{min(ratios):.2f} – {max(ratios):.2f}" if len(ratios) > 1 else f"{ratios[0]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=4.0, help="seconds of load per server and round")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds")
    parser.add_argument("--only", default="", help="comma-separated words; keep peers whose name has one")
    parser.add_argument("--no-pin", action="store_true", help="let the scheduler place servers and wrk")
    args = parser.parse_args()
    global PLACEMENT
    PLACEMENT = Placement.choose(pin=not args.no_pin)

    ensure_wrk()
    ensure_granian()
    skipped: list[str] = []
    for installer, needs in ((ensure_npm, ("WireMock", "Prism", "Mockoon")), (ensure_moto, ("moto",))):
        try:
            installer()
        except (RuntimeError, OSError) as exc:
            log(f"skipping {', '.join(needs)}: {exc}")
            skipped.extend(needs)
    every = [p for p in peers() if not p.name.startswith(tuple(skipped))]  # after installing: names carry versions
    if args.only:
        words = [w.strip().lower() for w in args.only.split(",") if w.strip()]
        every = [
            p
            for p in every
            if any(w in p.name.lower() for w in words)
            or p.name.startswith("ulmock, uvicorn")
            or p.name == "bare Starlette route, uvicorn"
        ]

    with tempfile.TemporaryDirectory(prefix="ulmock-peers-") as tmp:
        work = Path(tmp)
        reference = every[0]  # ulmock under uvicorn: the bytes everyone else must serve
        start(reference, work)
        body = wait_ready(reference)
        (work / "body.json").write_bytes(body)
        assert len(json.loads(body)["data"]) == 20
        running = [reference]
        try:
            for peer in every[1:]:
                try:
                    start(peer, work)
                    running.append(peer)
                except (OSError, RuntimeError, StopIteration) as exc:
                    peer.note = f"not started: {exc}"
            for peer in running:
                try:
                    got = wait_ready(peer)
                except RuntimeError as exc:
                    peer.note = f"not ready: {exc}"
                    continue
                peer.body_size = len(got)
                if peer.same_bytes and got != body:
                    peer.note = f"different bytes ({len(got):,} vs {len(body):,})"
            live = [p for p in running if not p.note]
            log(f"warming {len(live)} servers")
            for peer in live:
                wrk(peer, peer.warm_seconds)
            for r in range(args.rounds):
                order = live if r % 2 == 0 else live[::-1]
                log(f"round {r + 1}/{args.rounds}: {', '.join(p.name.split(' (')[0] for p in order)}")
                for peer in order:
                    peer.rates.append(wrk(peer, args.duration))
        finally:
            for peer in running:
                stop(peer)

    by_name = {p.name: p for p in every}
    ulm_u, bare_u = every[0], by_name["bare Starlette route, uvicorn"]
    wire = next((p for p in every if p.name.startswith("WireMock") and p.rates), None)
    print(
        f"machine: {machine()}; load: wrk -t1 -c16, {args.duration:g} s per server and round, {args.rounds} "
        f"alternating rounds; {PLACEMENT.describe()}; body: {len(body):,} bytes, authenticated GET /api/datasets "
        "(20 items)\n"
    )
    print("| server | req/s | × bare Starlette (uvicorn) | × WireMock |\n|---|---|---|---|")
    for peer in every:
        if not peer.rates:
            print(f"| {peer.name} | {peer.note or 'not measured'} | | |")
            continue
        vs_wire = ratio_range(peer, wire) if wire else "–"
        size = "" if peer.same_bytes else f" ({peer.body_size:,} bytes)"
        print(f"| {peer.name}{size} | {spread(peer.rates)} | {ratio_range(peer, bare_u)} | {vs_wire} |")
    ours = [p for p in every if p.name.startswith("ulmock") and p.rates]
    if ulm_u.rates and bare_u.rates:
        ratios = [u / b for u, b in zip(ulm_u.rates, bare_u.rates, strict=False)]
        print(
            f"\nulmock (default server) / bare Starlette under uvicorn, per round: "
            f"{' '.join(f'{x:.2f}' for x in ratios)} (target >= 0.6)"
        )
    if ours and wire:
        per_round = [max(p.rates[i] for p in ours) / wire.rates[i] for i in range(len(wire.rates))]
        fastest = max(ours, key=lambda p: statistics.median(p.rates))
        print(
            f"fastest ulmock ({fastest.name.split(',')[1].split('(')[0].strip()}) / WireMock, per round: "
            f"{' '.join(f'{x:.2f}' for x in per_round)} (target >= 0.8)"
        )


if __name__ == "__main__":
    main()
