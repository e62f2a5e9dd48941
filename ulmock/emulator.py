"""One running emulator: the platform's state, its clock, the world it was built from.

`create_app` wraps an Emulator in HTTP; tests and the CLI hold the Emulator to reset it,
move its clock, snapshot it and read its journal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ulmock.atomicfile import write_atomic
from ulmock.clock import Clock, ClockMode, Ticker
from ulmock.domain.entities import Model
from ulmock.domain.platform import Platform
from ulmock.domain.snapshot import dump_world, load_world
from ulmock.faults import Faults, FaultSpec
from ulmock.inference.cache import bundled_model_path, model_cache_dir
from ulmock.inference.preparation import ModelPreparation
from ulmock.journal import Journal
from ulmock.webhooks import WebhookDispatcher

if TYPE_CHECKING:
    from starlette.requests import Request

    from ulmock.inference import InferenceEngine

WorldBuilder = Callable[[Platform], Any]


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
    ):
        self.lock = threading.RLock()
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
        self._ticker = Ticker(self.clock, self.lock)
        self._build = build
        self._initial_clock: dict[str, Any] = {}
        self.webhooks = WebhookDispatcher(self)
        self.platform = self._fresh()

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
        platform = Platform(self.clock, self.seed, secret=f"ulmock-{self.seed}")
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
            self.journal.clear()

    def load(
        self, build: WorldBuilder | None, name: str, seed: int | None = None,
        clock: dict[str, Any] | None = None, faults: list[FaultSpec] | None = None, api: str | None = None,
    ) -> None:  # fmt: skip
        """Replace the world by another one (a scenario); on failure the old one stays.
        `api` switches the face served (None: keep it)."""
        with self.lock:
            saved = (self._build, self.name, self.seed, self._initial_clock, self._initial_faults, self.platform,
                     self.faults, self.clock.dump(), self.clock.bindings())  # fmt: skip
            self._build, self.name = build, name
            if seed is not None:
                self.seed = seed
            self._initial_clock = clock or {}
            self._initial_faults = list(faults or [])
            try:
                self.platform = self._fresh()
            except BaseException:
                (self._build, self.name, self.seed, self._initial_clock, self._initial_faults, self.platform,
                 self.faults, dump, handlers) = saved  # fmt: skip
                self.clock.load(dump)
                self.clock.rebind(handlers)
                raise
            self.journal.clear()
            if api is not None:
                self.api = api

    # -- clock ----------------------------------------------------------------
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

    # -- snapshots --------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "emulator": {"name": self.name},
                "clock": self.clock.dump(),
                "world": dump_world(self.platform.world),
                "faults": self.faults.dump(),
            }

    def restore(self, data: dict[str, Any]) -> None:
        with self.lock:
            platform = Platform(self.clock, data["world"]["seed"], secret=data["world"]["secret"])
            load_world(platform.world, data["world"])
            self.clock.load(data["clock"])
            self._wire(platform)
            faults = Faults(self.seed)
            faults.load(data.get("faults", []))
            self.platform, self.faults = platform, faults
            self.name = data.get("emulator", {}).get("name", self.name)

    def _wire(self, platform: Platform) -> None:
        """Connect a platform to what lives outside the domain: delivery, the model cache."""
        platform.webhooks.listener = self.webhooks.wake
        platform.exports.runnable_onnx = _bundled_onnx

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
        if blob.path is not None:
            return blob.path
        # Uploaded weights live in memory; runtimes want a file. A folder per content
        # hash keeps the engine's session cache right for exactly these bytes, and the
        # file keeps its name, which is what `X-Ulmock-Network` reports.
        folder = model_cache_dir() / blob.sha256
        target = folder / model.file.name
        if not target.exists():
            write_atomic(target, self.platform.world.blobs.read(blob.id))
        return str(target)

    # -- addresses --------------------------------------------------------------
    def public_url(self, request: Request) -> str:
        """Where clients reach this emulator: configured, or what the request used."""
        if self.public_base:
            return self.public_base
        return str(request.base_url).rstrip("/")


def _bundled_onnx() -> Path | None:
    path = bundled_model_path()
    return path if path.is_file() else None
