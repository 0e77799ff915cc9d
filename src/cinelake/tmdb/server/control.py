"""Read and steer a running offline server through its hidden endpoints (works for threads and processes)."""

from __future__ import annotations

from typing import Any

import httpx

CONTROL_PREFIX = "/__cinelake"


def _control_url(base_url: str, name: str) -> str:
    root = base_url.rstrip("/")
    if root.endswith("/3"):
        root = root[: -len("/3")]
    return f"{root}{CONTROL_PREFIX}/{name}"


def fetch_stats(base_url: str, *, log: bool = False) -> dict[str, Any]:
    """The server's statistics: requests, by_status, faults, rate_limited, peak_in_flight, peak_per_second
    (and with ``log=True`` the request log: arrival time, method, path, status, fault)."""
    response = httpx.get(_control_url(base_url, "stats"), params={"log": "1"} if log else None, timeout=30)
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def configure(base_url: str, **changes: Any) -> dict[str, Any]:
    """Change server options while it runs (``script=["429"]``, ``sudden_401=True``, ``rate_limit=40``...)."""
    response = httpx.post(_control_url(base_url, "config"), json=changes, timeout=30)
    if response.status_code != 200:
        raise ValueError(f"the server refused the options: {response.text}")
    data: dict[str, Any] = response.json()
    return data


def reset_stats(base_url: str) -> None:
    """Start the statistics and the request log afresh."""
    httpx.post(_control_url(base_url, "reset"), timeout=30).raise_for_status()
