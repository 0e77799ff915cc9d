"""The client-side limiter on a simulated clock: even spacing, and no burst after a stalled event loop."""

from __future__ import annotations

import asyncio
import random
from collections import deque
from types import SimpleNamespace

import pytest

from cinelake.tmdb import ratelimit
from cinelake.tmdb.ratelimit import RateLimiter


class FakeClock:
    """monotonic() and asyncio.sleep() on simulated time; each sleep overshoots by a random stall."""

    def __init__(self, max_stall: float, seed: int = 3) -> None:
        self.now = 1000.0
        self.max_stall = max_stall
        self.random = random.Random(seed)

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds) + self.random.uniform(0.0, self.max_stall)


def _peak_per_second(starts: list[float]) -> int:
    window: deque[float] = deque()
    peak = 0
    for t in sorted(starts):
        window.append(t)
        while window[0] <= t - 1.0:
            window.popleft()
        peak = max(peak, len(window))
    return peak


@pytest.mark.parametrize("max_stall", [0.0, 0.005, 0.3])
def test_never_more_than_rate_in_a_second(monkeypatch: pytest.MonkeyPatch, max_stall: float) -> None:
    clock = FakeClock(max_stall)
    # The limiter's own names only: patching time.monotonic or asyncio.sleep themselves would move the
    # simulated clock whenever a server thread of the same test process sleeps.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(monotonic=clock.monotonic))
    monkeypatch.setattr(ratelimit, "asyncio", SimpleNamespace(sleep=clock.sleep))
    limiter = RateLimiter(40)
    starts: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        starts.append(clock.now)

    async def main() -> None:
        # Sequential awaits keep the simulation deterministic; the slots are what is being tested.
        for _ in range(400):
            await one()

    asyncio.run(main())
    assert _peak_per_second(starts) <= 40
    span = max(starts) - min(starts)
    if max_stall == 0.0:
        assert span == pytest.approx(399 / 40)  # evenly spaced at exactly the rate


def test_rejects_a_non_positive_rate() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)
