"""Per-account request quotas in fixed minute and day windows of the emulator's clock.

`hit` answers a quota state (limit, remaining, reset); the face renders it as headers.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from ulmock.domain.errors import RateLimited
from ulmock.domain.world import RateWindow, World

MINUTE = 60
DAY = 86_400


class RateStatus(NamedTuple):  # one a request: a named tuple is built in half a frozen dataclass's time
    limit: int
    remaining: int
    reset: int  # epoch seconds: the end of the current minute window


class QuotaExceeded(RateLimited):
    """A refused request, with the quota state the answer reports."""

    def __init__(self, message: str, retry_after: int, details: dict[str, Any], quota: RateStatus):
        super().__init__(message, retry_after, details)
        self.quota = quota


class RateLimiter:
    def __init__(self, world: World):
        self.world = world

    def hit(self, account_id: str, per_minute: int, per_day: int) -> RateStatus:
        """Count one request; raise QuotaExceeded (a RateLimited) when over quota."""
        now = self.world.now()
        minute_start = int(now // MINUTE) * MINUTE
        day_start = int(now // DAY) * DAY
        window = self.world.rate_windows.get(account_id)
        if window is None:
            window = self.world.rate_windows[account_id] = RateWindow()
        if window.minute_start != minute_start:
            window.minute_start, window.minute_count = minute_start, 0
        if window.day_start != day_start:
            window.day_start, window.day_count = day_start, 0

        minute_reset = minute_start + MINUTE
        if window.day_count >= per_day:
            status = RateStatus(per_minute, 0, minute_reset)
            retry = max(1, math.ceil(day_start + DAY - now))
            raise self._refusal("Daily request quota exceeded", per_day, "day", retry, status)
        if window.minute_count >= per_minute:
            status = RateStatus(per_minute, 0, minute_reset)
            retry = max(1, math.ceil(minute_reset - now))
            raise self._refusal("Rate limit exceeded", per_minute, "minute", retry, status)
        window.minute_count += 1
        window.day_count += 1
        remaining = min(per_minute - window.minute_count, per_day - window.day_count)
        return RateStatus(per_minute, max(0, remaining), minute_reset)

    def preload(self, account_id: str, used_today: int) -> None:
        """Start an account part-way through today's quota (scenarios at the edge)."""
        now = self.world.now()
        window = self.world.rate_windows.setdefault(account_id, RateWindow())
        window.minute_start, window.minute_count = int(now // MINUTE) * MINUTE, 0
        window.day_start, window.day_count = int(now // DAY) * DAY, used_today

    def usage(self, account_id: str) -> tuple[int, int]:
        """Requests counted in the current minute and day windows."""
        now = self.world.now()
        window = self.world.rate_windows.get(account_id)
        if window is None:
            return 0, 0
        minute = window.minute_count if window.minute_start == int(now // MINUTE) * MINUTE else 0
        day = window.day_count if window.day_start == int(now // DAY) * DAY else 0
        return minute, day

    @staticmethod
    def _refusal(message: str, limit: int, window: str, retry: int, status: RateStatus) -> QuotaExceeded:
        return QuotaExceeded(
            f"{message}: {limit} requests per {window}. Retry in {retry} s.",
            retry,
            {"limit": limit, "window": window, "retryAfter": retry},
            status,
        )
