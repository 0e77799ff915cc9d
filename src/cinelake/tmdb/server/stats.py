"""What the offline server saw: requests by status, peak concurrency, peak rate, faults, a request log."""

from __future__ import annotations

import time
from collections import deque
from typing import Any


class ServerStats:
    """Counters read by tests and benchmarks (through ``/__cinelake/stats`` or :func:`fetch_stats`).

    The server runs on one event loop, so plain attribute updates are safe.
    """

    def __init__(self, log_size: int = 100_000) -> None:
        self.started = time.monotonic()
        self.requests = 0
        self.by_status: dict[int, int] = {}
        self.faults: dict[str, int] = {}
        self.rate_limited = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.peak_per_second = 0
        self._window: deque[float] = deque()
        self.log: deque[tuple[float, str, str, int, str | None]] = deque(maxlen=log_size)

    def arrived(self, now: float) -> None:
        self.requests += 1
        self.in_flight += 1
        if self.in_flight > self.peak_in_flight:
            self.peak_in_flight = self.in_flight
        window = self._window
        window.append(now)
        edge = now - 1.0
        while window[0] <= edge:
            window.popleft()
        if len(window) > self.peak_per_second:
            self.peak_per_second = len(window)

    def finished(self, arrived_at: float, method: str, path: str, status: int, fault: str | None) -> None:
        """Record a finished request; ``status`` 0 means no response was sent (reset, client gone)."""
        self.in_flight -= 1
        self.by_status[status] = self.by_status.get(status, 0) + 1
        if fault is not None:
            self.faults[fault] = self.faults.get(fault, 0) + 1
        self.log.append((arrived_at - self.started, method, path, status, fault))

    def as_dict(self, with_log: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "uptime_s": round(time.monotonic() - self.started, 3),
            "requests": self.requests,
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "faults": dict(sorted(self.faults.items())),
            "rate_limited": self.rate_limited,
            "in_flight": self.in_flight,
            "peak_in_flight": self.peak_in_flight,
            "peak_per_second": self.peak_per_second,
        }
        if with_log:
            # t: when the request arrived, in seconds since the stats began.
            data["log"] = [
                {"t": round(t, 6), "method": m, "path": p, "status": s, "fault": f}
                for t, m, p, s, f in self.log
            ]
        return data
