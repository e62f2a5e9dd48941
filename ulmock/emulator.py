"""One running emulator: the platform's state, its clock, the world it was built from.

`create_app` wraps an Emulator in HTTP; tests and the CLI hold the Emulator to reset it,
move its clock, snapshot it and read its journal. Time moves only through `advance`,
`advance_to` and `run_due` (the fixture, the control API, the real-time ticker).

What the parts outside the domain get of it, each in its constructor: the webhook
sender a `WorldLock` and each world's outbox (`attach`); `/files` a `FileSource` (the
lock, the platform served now, `read_blob`, `check_signature`); the billing pages the
world and its lock (`api.served.Served`); the journal middleware the journal and the
clock's `now`. The control API and the dashboard drive the emulator itself. The other
way, each world it builds gets the webhook wire format (`webhook_payloads.message`).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ulmock import webhook_payloads
from ulmock.api.faults import Faults, FaultSpec
from ulmock.api.files import signed_urls
from ulmock.api.journal import Journal
from ulmock.atomicfile import write_atomic
from ulmock.confine import fixture_file
from ulmock.domain.backend import Platform
from ulmock.domain.clock import Clock, ClockMode, Ticker
from ulmock.domain.entities import Model
from ulmock.domain.snapshot import FileResolver, check_event, dump_world, load_world
from ulmock.inference.disk_cache import bundled_model_path, model_cache_dir
from ulmock.inference.preparation import ModelPreparation
from ulmock.snapshots import Captured, SnapshotError, parse_snapshot
from ulmock.webhook_delivery import WebhookDispatcher
from ulmock.worldlock import WorldLock

if TYPE_CHECKING:
    from starlette.requests import Request

    from ulmock.inference import InferenceEngine

WorldBuilder = Callable[[Platform], Any]

# What `load` replaces, and puts back (with the clock) when the new world fails to build.
_REPLACED_BY_LOAD = ("_build", "name", "seed", "_initial_clock", "_initial_faults", "platform", "faults", "signing_key")


class Emulator:
    def __init__(
        self,
        build: WorldBuilder | None = None,
        *,
        seed: int | None = 0,
        start: float | None = None,
        mode: ClockMode = "manual",
        speed: float = 1.0,
        public_url: str | None = None,
        admin_token: str | None = None,
        name: str = "custom",
        faults: list[FaultSpec] | None = None,
        device: str | None = None,
        api: str = "reference",
        signing_key: str | None = None,
    ):
        self.lock = WorldLock()
        # Signed URLs are the only authority on /files: the key is random for each
        # emulator unless a scenario pins one (for URLs that stay the same across runs).
        self._own_key = secrets.token_hex(32)
        self.signing_key = signing_key or self._own_key
        self.name = name
        if api not in ("reference", "platform"):
            raise ValueError(f"unknown API face {api!r}: reference or platform")
        self.api = api  # the HTTP face served: "reference" (the seed's) or "platform" (the live contract)
        self.seed = seed
        self.public_base = public_url.rstrip("/") if public_url else None
        self.admin_token = admin_token
        self.journal = Journal()
        self.device = device
        self._engine: InferenceEngine | None = None
        # Whether a missing bundled model is fetched: never, unless serve or the fixture says so.
        self.model_preparation = ModelPreparation()
        self._initial_faults = list(faults or [])
        self.faults = Faults(seed)
        self.clock = Clock(start=start if start is not None else float(int(time.time())), mode=mode, speed=speed)
        self._ticker = Ticker(self.clock, self.run_due)
        self._build = build
        self._initial_clock: dict[str, Any] = {}
        self.webhooks = WebhookDispatcher(self.lock)
        self.platform = self._fresh()
        self.webhooks.attach(self.platform.webhooks)

    def _fresh(self) -> Platform:
        """Build the world from scratch and remember its starting clock for resets."""
        self.faults = Faults(self.seed)
        for spec in self._initial_faults:
            self.faults.add(spec)
        self.clock.cancel(lambda d: True)
        if not self._initial_clock:
            self._initial_clock = self.clock.dump()
        else:
            self.clock.load(self._initial_clock)
        platform = Platform(self.clock, self.seed, secret=self.signing_key, webhook_message=webhook_payloads.message)
        self._wire(platform)
        if self._build is not None:
            self._build(platform)
        return platform

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> None:
        """Let due events fire on their own while the clock runs in real time."""
        self._ticker.start()

    def stop(self) -> None:
        self._ticker.stop()
        self.webhooks.stop()

    def reset(self) -> None:
        with self.lock:
            self.platform = self._fresh()
            self.webhooks.attach(self.platform.webhooks)
            self.journal.clear()

    def load(
        self,
        build: WorldBuilder | None,
        name: str,
        seed: int | None = None,
        clock: dict[str, Any] | None = None,
        faults: list[FaultSpec] | None = None,
        api: str | None = None,
        signing_key: str | None = None,
    ) -> None:
        """Replace the world by another one (a scenario); on failure the old one stays.
        `api` switches the face served (None: keep it)."""
        with self.lock:
            saved = {attr: getattr(self, attr) for attr in _REPLACED_BY_LOAD}
            dump, handlers = self.clock.dump(), self.clock.bindings()
            self._build, self.name = build, name
            self.signing_key = signing_key or self._own_key
            if seed is not None:
                self.seed = seed
            self._initial_clock = clock or {}
            self._initial_faults = list(faults or [])
            try:
                self.platform = self._fresh()
            except BaseException:
                for attr, value in saved.items():
                    setattr(self, attr, value)
                self.clock.load(dump)
                self.clock.rebind(handlers)
                raise
            self.webhooks.attach(self.platform.webhooks)
            self.journal.clear()
            if api is not None:
                self.api = api

    # -- clock ----------------------------------------------------------------
    # The one way to move time (the fixture's `clock`, `POST /_ulmock/clock[/advance]`,
    # the real-time ticker): every event fires at its own time, and the webhooks it
    # queues are sent before the next one fires.
    def advance(self, seconds: float) -> float:
        """Move the clock, firing every event due on the way, in order; after each
        moment's events, wait for the webhooks they queued (their failures schedule
        retries that may fall due within the same span)."""
        if seconds < 0:
            raise ValueError("the clock never goes backwards")
        with self.lock:
            target = self.clock.now() + seconds
        while True:
            with self.lock:
                nxt = self.clock.next_due()
                if nxt is None or nxt > target:
                    self.clock.set(max(target, self.clock.now()))
                    break
                self.clock.set(max(nxt, self.clock.now()))
            self.webhooks.flush()
        self.webhooks.flush()
        return self.clock.now()

    def advance_to(self, when: float) -> float:
        """Jump to an absolute time (forwards only), as `advance` does."""
        with self.lock:
            now = self.clock.now()
        if when < now:
            raise ValueError("the clock never goes backwards")
        return self.advance(when - now)

    def run_due(self) -> int:
        """Fire what is due now, without moving the clock (real time moves it); the
        webhooks they queue go out on their own."""
        with self.lock:
            return self.clock.run_due()

    # -- snapshots --------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The whole state as one JSON-ready document (what GET /_ulmock/snapshot answers)."""
        return self.capture().inline()

    def capture(self) -> Captured:
        """A consistent copy, taken under the lock; rendering it happens outside."""
        with self.lock:
            world, blobs = dump_world(self.platform.world)
            doc = {
                "emulator": {"name": self.name},
                "clock": self.clock.dump(),
                "world": world,
                "faults": self.faults.dump(),
            }
            return Captured(doc, blobs)

    def restore(self, data: Any, stored: FileResolver | None = None) -> None:
        """Replace the whole state by a snapshot's. It is validated and built apart first,
        on a clock of its own: a refused snapshot (SnapshotError) changes nothing here.
        `stored` finds the files of a state file's `stored` blobs by their digest."""
        doc = parse_snapshot(data)
        scratch = Clock(start=doc.clock.now, mode="manual")
        platform = Platform(scratch, doc.world.seed, secret=doc.world.secret, webhook_message=webhook_payloads.message)
        faults = Faults(self.seed)
        try:
            load_world(platform.world, doc.world, fixture_file, stored)
            for due in doc.clock.queue:
                check_event(due.kind, due.payload)
            faults.load([f.model_dump() for f in doc.faults])
        except ValueError as exc:
            raise SnapshotError(str(exc)) from None
        with self.lock:
            # The swap: nothing above touched this emulator, nothing below can fail.
            platform.clock = platform.world.clock = self.clock
            self.clock.rebind(scratch.bindings())
            self.clock.load(doc.clock.model_dump())
            self._wire(platform)
            self.platform, self.faults = platform, faults
            self.webhooks.attach(platform.webhooks)
            if doc.emulator is not None:
                self.name = doc.emulator.name

    def _wire(self, platform: Platform) -> None:
        """Connect a platform to what lives outside the domain: delivery, the model cache."""
        platform.webhooks.listener = self.webhooks.wake
        platform.exports.runnable_onnx = _bundled_onnx
        platform.ingest.read_link = signed_urls.reader(platform.world)

    # -- inference ---------------------------------------------------------------
    def inference(self) -> InferenceEngine:
        """The YOLO runtime, made on first use: worlds that never predict never load it."""
        from ulmock.inference import InferenceEngine  # numpy and onnxruntime: loaded when first needed

        with self.lock:
            if self._engine is None:
                self._engine = InferenceEngine(device=self.device)
            return self._engine

    def model_file_path(self, model: Model) -> str | None:
        """A path onnxruntime can open for the model's weights (None: the bundled network)."""
        if model.file is None:
            return None
        blob = self.platform.world.blobs.get(model.file.blob_id)
        if blob is None:
            return None
        if blob.path is not None and Path(blob.path).name == model.file.name:
            return blob.path  # a fixture, under its own name
        # Uploaded weights live in memory; runtimes want a file. A folder per content
        # hash keeps the engine's session cache right for exactly these bytes, and the
        # file keeps its name, which is what `X-Ulmock-Network` reports.
        folder = model_cache_dir() / blob.sha256
        target = folder / _disk_name(model.file.name)
        if not target.exists():
            write_atomic(target, self.platform.world.blobs.read(blob.id))
        return str(target)

    # -- what /files reads (api.files.FileSource) -------------------------------
    def check_signature(self, quoted_path: str, expires: str | None, signature: str | None) -> None:
        self.platform.world.signer.verify(quoted_path, expires, signature, self.clock.now())

    def read_blob(self, blob_id: str) -> bytes | None:
        blobs = self.platform.world.blobs
        return blobs.read(blob_id) if blobs.get(blob_id) is not None else None

    # -- addresses --------------------------------------------------------------
    def public_url(self, request: Request) -> str:
        """Where clients reach this emulator: configured, or what the request used."""
        if self.public_base:
            return self.public_base
        return str(request.base_url).rstrip("/")


def _disk_name(name: str) -> str:
    """A file name every file system takes (255 bytes at most), keeping the suffix."""
    if len(name.encode()) <= 200:
        return name
    _stem, dot, suffix = name.rpartition(".")
    keep = suffix if dot and len(suffix) <= 16 else ""
    return name.encode()[: 200 - len(keep) - 1].decode(errors="ignore") + (f".{keep}" if keep else "")


def _bundled_onnx() -> Path | None:
    path = bundled_model_path()
    return path if path.is_file() else None
