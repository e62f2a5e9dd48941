"""Sliding-window quotas: at most N calls in any `window` seconds, per key and category.

The live Platform counts each API key's calls per category (default, training, upload,
predict, export, download) over the last minute, not per calendar minute. The state is
the time of each counted call on the emulator's clock, so moving the clock frees room.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from ulmock.domain.world import World


@dataclass(frozen=True)
class WindowState:
    """One call's verdict: allowed or not, what is left, and when room opens again."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # when the oldest counted call leaves the window
    retry_after: int  # whole seconds to wait when refused (0 when allowed)


class SlidingWindows:
    def __init__(self, world: World):
        self.world = world

    def hit(self, key_id: str, category: str, limit: int, window: float = 60.0) -> WindowState:
        """Count one call if there is room; refused calls are not counted."""
        now = self.world.now()
        times = self.world.call_times.setdefault((key_id, category), deque())
        while times and times[0] <= now - window:
            times.popleft()
        if len(times) >= limit:
            reset_at = times[0] + window
            return WindowState(False, limit, 0, reset_at, max(1, math.ceil(reset_at - now)))
        times.append(now)
        return WindowState(True, limit, limit - len(times), times[0] + window, 0)
