"""A client-side rate limit that spaces requests evenly (GCRA: each request gets the next free time slot).

Why not a token bucket such as aiolimiter's: a bucket sized for a second's quota lets a whole second's
worth of requests out at once when it is full, so a server counting requests per second sees up to twice
the limit; a bucket of one undershoots the rate because every wake-up is late. Fixed time slots avoid both:
a late wake-up does not delay the next slot, and no one-second window holds more than ``rate + 1`` starts.
"""

from __future__ import annotations

import asyncio
import time


class RateLimiter:
    """At most ``rate`` acquisitions per second, evenly spaced; shared by the tasks of one event loop."""

    __slots__ = ("_interval", "_next", "rate")

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._interval = 1.0 / rate
        self._next = 0.0

    async def acquire(self) -> None:
        """Wait for this caller's slot. Slots are handed out in call order, so waiting is fair."""
        now = time.monotonic()
        slot = self._next if self._next > now else now
        self._next = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)
