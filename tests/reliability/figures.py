"""Figures the reliability tests measure, written to test-artifacts/reliability.json at the end of a
session (RELIABILITY.md quotes the last run)."""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import Any

import orjson

FIGURES: dict[str, Any] = {}
OUTPUT = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability.json"


def save() -> Path | None:
    """Merge this session's figures into the file (a partial run keeps the others)."""
    if not FIGURES:
        return None
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    # Parallel workers each save their own figures: one at a time, each merging into the file.
    with (OUTPUT.parent / ".reliability.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        old: dict[str, Any] = orjson.loads(OUTPUT.read_bytes()) if OUTPUT.exists() else {}
        old.update(FIGURES)
        OUTPUT.write_bytes(orjson.dumps(old, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    return OUTPUT
