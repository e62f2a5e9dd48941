"""The one clock every time-dependent rule reads, and the scheduler of due events.

Two modes:
- manual: time moves only when told (`advance`, `set`), so tests are exact;
- realtime: emulated time runs at `speed` times wall time from an anchor.

Scheduled events are plain data (`Due`): a time, a kind and a JSON payload. Handlers
are registered by kind, so the pending queue can be snapshotted and restored like any
other state. Advancing the clock fires every due event in time order, with the clock
set to each event's own time while it runs, before `advance` returns.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from ulmock.domain.memo import Memo

ClockMode = Literal["manual", "realtime"]
Handler = Callable[[dict[str, Any]], None]


def iso_uncached(ts: float) -> str:
    """ISO 8601 UTC with `Z`, millisecond precision, as the Platform writes times."""
    dt = datetime.fromtimestamp(ts, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


# Stored times (createdAt, updatedAt) are rendered again on every list page, forty times a
# page: each one's text is made once. One-off times (now, the journal, a webhook message)
# use `iso_uncached` so they do not fill it.
iso: Callable[[float], str] = Memo(iso_uncached, keep=65_536).__getitem__


def parse_iso(text: str) -> float:
    """Parse an ISO 8601 date or date-time; naive values are taken as UTC."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


@dataclass(order=True)
class Due:
    at: float
    seq: int
    kind: str = field(compare=False)
    payload: dict[str, Any] = field(compare=False, default_factory=dict)


class Clock:
    """Emulated time plus the queue of events due on it.

    Thread-safe: the realtime ticker, request handlers and the control API share it.
    Handlers run with the lock released so they may schedule further events.
    """

    def __init__(self, start: float | None = None, mode: ClockMode = "manual", speed: float = 1.0):
        self._lock = threading.RLock()
        self._fire_lock = threading.Lock()
        self._mode: ClockMode = mode
        self._speed = float(speed)
        self._emulated_at_anchor = float(start if start is not None else time.time())
        self._wall_anchor = time.monotonic()
        # Heap entries are (at, seq, due): tuples compare in C, a dataclass's __lt__ in Python.
        self._queue: list[tuple[float, int, Due]] = []
        self._seq = 0
        self._handlers: dict[str, Handler] = {}
        self._wakeup = threading.Event()

    # -- reading ---------------------------------------------------------
    def now(self) -> float:
        with self._lock:
            if self._mode == "manual":
                return self._emulated_at_anchor
            elapsed = time.monotonic() - self._wall_anchor
            return self._emulated_at_anchor + elapsed * self._speed

    @property
    def mode(self) -> ClockMode:
        return self._mode

    @property
    def speed(self) -> float:
        return self._speed

    def describe(self) -> dict[str, Any]:
        now = self.now()
        return {"now": iso_uncached(now), "epoch": now, "mode": self._mode, "speed": self._speed}

    # -- changing --------------------------------------------------------
    def configure(self, mode: ClockMode | None = None, speed: float | None = None) -> None:
        with self._lock:
            current = self.now()
            if mode is not None:
                self._mode = mode
            if speed is not None:
                self._speed = float(speed)
            self._rebase(current)
        self._wakeup.set()

    def advance(self, seconds: float) -> float:
        """Move forward, firing everything due on the way; returns the new now."""
        if seconds < 0:
            raise ValueError("the clock never goes backwards")
        with self._fire_lock:
            target = self.now() + seconds
            self._fire_until(target)
            with self._lock:
                self._rebase(max(target, self.now()))
            return self.now()

    def set(self, when: float) -> float:
        """Jump to an absolute time (forwards only), firing what falls due."""
        current = self.now()
        if when < current:
            raise ValueError("the clock never goes backwards")
        return self.advance(when - current)

    def _rebase(self, emulated: float) -> None:
        self._emulated_at_anchor = emulated
        self._wall_anchor = time.monotonic()

    # -- scheduling ------------------------------------------------------
    def on(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    def bindings(self) -> dict[str, Handler]:
        """The handlers in force, to put back with `rebind` if building a new world fails."""
        return dict(self._handlers)

    def rebind(self, handlers: dict[str, Handler]) -> None:
        self._handlers = dict(handlers)

    def schedule(self, at: float, kind: str, payload: dict[str, Any] | None = None) -> Due:
        with self._lock:
            self._seq += 1
            due = Due(at=at, seq=self._seq, kind=kind, payload=payload or {})
            heapq.heappush(self._queue, (at, self._seq, due))
            first = self._queue[0][2] is due
        if first:  # the ticker sleeps until the head is due: only a new head changes that
            self._wakeup.set()
        return due

    def cancel(self, predicate: Callable[[Due], bool]) -> int:
        with self._lock:
            kept = [entry for entry in self._queue if not predicate(entry[2])]
            removed = len(self._queue) - len(kept)
            if removed:
                heapq.heapify(kept)
                self._queue = kept
            return removed

    def pending(self) -> list[Due]:
        with self._lock:
            return [due for _, _, due in sorted(self._queue)]

    def next_due(self) -> float | None:
        with self._lock:
            return self._queue[0][0] if self._queue else None

    def run_due(self) -> int:
        """Fire what is due at the current time (the realtime ticker calls this)."""
        with self._fire_lock:
            return self._fire_until(self.now())

    def _fire_until(self, target: float) -> int:
        fired = 0
        while True:
            with self._lock:
                if not self._queue or self._queue[0][0] > target:
                    return fired
                due = heapq.heappop(self._queue)[2]
                if self._mode == "manual" and due.at > self._emulated_at_anchor:
                    # Each event runs at its own time, so what it records is exact.
                    self._rebase(due.at)
            handler = self._handlers.get(due.kind)
            if handler is not None:
                handler(due.payload)
            fired += 1

    # -- snapshot --------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        with self._lock:
            return {
                "now": self.now(),
                "mode": self._mode,
                "speed": self._speed,
                "seq": self._seq,
                "queue": [
                    {"at": d.at, "seq": d.seq, "kind": d.kind, "payload": d.payload} for _, _, d in sorted(self._queue)
                ],
            }

    def load(self, data: dict[str, Any]) -> None:
        with self._lock:
            self._mode = data["mode"]
            self._speed = float(data["speed"])
            self._seq = int(data["seq"])
            self._queue = [(due.at, due.seq, due) for due in (Due(**d) for d in data["queue"])]
            heapq.heapify(self._queue)
            self._rebase(float(data["now"]))
        self._wakeup.set()

    # -- realtime ticker -------------------------------------------------
    def wait_for_work(self, max_wait: float) -> None:
        """Sleep until the next event could be due or something changed."""
        self._wakeup.clear()
        nxt = self.next_due()
        if self._mode == "realtime" and nxt is not None:
            wall = max(0.0, (nxt - self.now()) / max(self._speed, 1e-9))
            max_wait = min(max_wait, wall)
        self._wakeup.wait(max_wait)


class Ticker:
    """Background thread that fires due events while the clock runs in real time.

    `fire` is what fires them (the emulator's `run_due`: it takes the world's lock)."""

    def __init__(self, clock: Clock, fire: Callable[[], object] | None = None):
        self._clock = clock
        self._fire = fire or clock.run_due
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="ulmock-clock", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._clock._wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._clock.mode == "realtime":
                self._fire()
            self._clock.wait_for_work(0.5)
