"""A client-side rate limit that spaces requests evenly and never lets ``rate`` + 1 start within one second.

Why not a token bucket such as aiolimiter's: a bucket sized for a second's quota lets a whole second's
worth of requests out at once when it is full, so a server counting requests per second sees up to twice
the limit; a bucket of one undershoots the rate because every wake-up is late. Here each caller gets the
next time slot (GCRA), so a late wake-up does not delay the next slot; and a log of the last second's
starts holds back the catch-up burst that follows a stalled event loop.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque


class RateLimiter:
    """At most ``rate`` acquisitions in any one-second window, evenly spaced; shared by one loop's tasks."""

    __slots__ = ("_cap", "_interval", "_next", "_started", "rate")

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._interval = 1.0 / rate
        self._cap = max(1, math.floor(rate))
        self._next = 0.0
        self._started: deque[float] = deque()

    async def acquire(self) -> None:
        """Wait for this caller's slot. Slots are handed out in call order, so waiting is fair."""
        now = time.monotonic()
        slot = self._next if self._next > now else now
        self._next = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)
        started = self._started
        while True:
            now = time.monotonic()
            edge = now - 1.0
            while started and started[0] <= edge:
                started.popleft()
            if len(started) < self._cap:
                break
            await asyncio.sleep(started[0] - edge)
        started.append(now)
