"""SIGKILL a ``cinelake`` command at a random point, and compare lakes after the reruns."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.reliability.cli import CINELAKE, cli_env


def run_to_end(args: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None) -> float:
    """Run a command to completion (it must succeed); returns its wall time in seconds."""
    started = time.monotonic()
    done = subprocess.run(
        [CINELAKE, *args], cwd=cwd, env=cli_env(env), capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return time.monotonic() - started


def kill_at(args: Sequence[str], after: float, *, cwd: Path, env: Mapping[str, str] | None = None) -> bool:
    """Start the command, SIGKILL its whole process group after ``after`` seconds (Spark's JVM too).
    True if the kill landed (the command was still running)."""
    child = _spawn(args, cwd=cwd, env=env)
    try:
        child.wait(after)
        return False
    except subprocess.TimeoutExpired:
        _kill_group(child)
        return True
    finally:
        if child.poll() is None:
            _kill_group(child)


def kill_when(
    args: Sequence[str],
    ready: Callable[[], bool],
    extra: float,
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
    stderr: Path | None = None,
) -> bool:
    """Start the command; once ``ready()`` holds (polled), wait ``extra`` seconds more and SIGKILL its
    process group. True if the kill landed while the command was still running. ``stderr``: a file
    that receives the command's standard error as it runs (for a ``ready`` that waits for a line)."""
    child = _spawn(args, cwd=cwd, env=env, stderr=stderr)
    try:
        deadline = time.monotonic() + timeout
        while child.poll() is None and not ready() and time.monotonic() < deadline:
            time.sleep(0.02)
        if extra:
            time.sleep(extra)
        if child.poll() is not None:
            return False
        _kill_group(child)
        return True
    finally:
        if child.poll() is None:
            _kill_group(child)


def _spawn(
    args: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None, stderr: Path | None = None
) -> subprocess.Popen[bytes]:
    """The command in a session of its own, so that a kill reaches every process it started."""
    with contextlib.ExitStack() as files:
        err = files.enter_context(stderr.open("wb")) if stderr is not None else subprocess.DEVNULL
        return subprocess.Popen(
            [CINELAKE, *args],
            cwd=cwd,
            env=cli_env(env),
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    os.killpg(child.pid, signal.SIGKILL)
    child.wait(30)


def kill_points(rng: random.Random, count: int, duration: float) -> list[float]:
    """``count`` random moments spread over a run of ``duration`` seconds."""
    return [rng.uniform(0.1, 0.95) * duration for _ in range(count)]


def iceberg_tables(root: Path, zone: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every Iceberg table of ``zone`` the lake's catalog holds (folder -> its rows at the current
    snapshot, sorted, the lake's path replaced by ``<lake>``): what any reader of the lake sees."""
    from cinelake.lake.store import Lake
    from cinelake.tables.reading import existing_tables

    tables: dict[str, list[tuple[Any, ...]]] = {}
    lake = str(root)
    for table, iceberg in existing_tables(Lake(lake)):
        if table.zone.value != zone:
            continue
        rows = iceberg.scan().to_arrow().to_pylist()
        # Lineage columns (source_file) hold the lake's own path: two lakes, one content.
        tables[table.rel] = sorted(
            tuple(sorted((k, repr(v).replace(lake, "<lake>")) for k, v in r.items())) for r in rows
        )
    return tables


def catalog_files(root: Path) -> dict[str, str]:
    """The local catalog's objects, with the lake's own path replaced (two lakes, one catalog shape)."""
    out = {}
    for path in sorted((root / "_catalog").rglob("*")):
        if path.is_file():
            out[path.relative_to(root).as_posix()] = path.read_text().replace(str(root), "<lake>")
    return out
