"""SIGKILL the ingestion process at random points, rerun, and find every title exactly once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from cinelake.ingest.tmdb_runs import TmdbRunBook
from cinelake.lake.store import Lake
from tests.ingest.conftest import TOKEN, UNKNOWN_IDS, write_movies_csv

pytestmark = [pytest.mark.integration, pytest.mark.slow]

KILLS = 4


def command(lake: Path, csv: Path, server: str, day: str = "2026-11-26", *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "cinelake.cli",
        "ingest",
        "tmdb",
        "--lake",
        str(lake),
        "--date",
        day,
        "--from-csv",
        str(csv),
        "--genres",
        "Comedy",
        "--base-url",
        server,
        "--rate-limit",
        "0",
        "--concurrency",
        "4",
        *extra,
    ]


def checkpoints(lake_dir: Path) -> int:
    return len(list((lake_dir / "Raw/TMDB/_runs").glob("*/chunks/*.json")))


def kill_repeatedly(cmd: list[str], lake_dir: Path, env: dict[str, str]) -> int:
    """Start ``cmd`` and SIGKILL it at a random point, :data:`KILLS` times; how many kills landed."""
    draw = random.Random(20261126)
    killed = 0
    for _ in range(KILLS):
        child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # Kill at a random moment once the run has made progress (one more chunk checkpointed), so the
        # kills land in the middle of fetching, writing files and writing checkpoints.
        before = checkpoints(lake_dir)
        deadline = time.monotonic() + 120
        while child.poll() is None and checkpoints(lake_dir) <= before and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(draw.uniform(0.0, 0.6))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            killed += 1
        child.wait(30)
        assert child.stderr is not None
        child.stderr.close()
        # Between crashes: every visible file is whole JSON Lines (never a partial file).
        for path in lake_dir.rglob("*.json"):
            if not any(part.startswith((".", "_")) for part in path.relative_to(lake_dir).parts):
                for line in path.read_bytes().splitlines():
                    orjson.loads(line)
    return killed


def test_sigkill_at_random_points_then_rerun(tmp_path: Path, known_ids: list[str], server: str) -> None:
    from cinelake.tmdb.server import configure

    comedy = known_ids[:797] + list(UNKNOWN_IDS)  # 800 ids: 8 chunks
    csv = write_movies_csv(tmp_path / "movies.csv", comedy, known_ids[797:820])
    lake_dir = tmp_path / "lake"
    configure(server, latency_ms=25)
    env = {**os.environ, "TMDB_READ_ACCESS_TOKEN": TOKEN}
    killed = kill_repeatedly(command(lake_dir, csv, server), lake_dir, env)
    assert killed >= 2, "the runs finished before they could be killed: raise the latency"
    done_before = checkpoints(lake_dir)
    print(f"killed {killed} times; {done_before} of 8 chunks checkpointed before the last run")
    assert done_before < 8
    final = subprocess.run(command(lake_dir, csv, server), env=env, capture_output=True, timeout=300)
    assert final.returncode == 0, final.stderr.decode()[-2000:]

    lake = Lake(str(lake_dir))
    visible = lake.list_files("Raw/TMDB")
    records = [orjson.loads(line) for rel in visible for line in lake.read_bytes(rel).splitlines()]
    imdb_ids = [r["imdb_id"] for r in records]
    assert len(imdb_ids) == len(set(imdb_ids)), "a title was written twice"
    assert len({r["id"] for r in records}) == len(records)
    [run_dir] = [p.name for p in (lake_dir / "Raw/TMDB/_runs").iterdir()]
    manifest = TmdbRunBook(lake, run_dir).load_manifest()
    assert manifest is not None and manifest.status == "complete"
    missed = {m.id for m in TmdbRunBook(lake, run_dir).iter_misses()}
    assert set(imdb_ids) | missed == set(comedy)  # every id: written once, or a recorded miss
    assert set(UNKNOWN_IDS) <= missed and len(missed) < 20
    assert sorted(visible) == sorted(f.path for f in manifest.files)
    assert [p for p in lake.list_files("Raw/TMDB/JSON", include_hidden=True) if "/." in p] == []


def test_sigkill_during_an_incremental_run_then_rerun(
    tmp_path: Path, known_ids: list[str], server: str
) -> None:
    from datetime import date

    from cinelake.tmdb.server import configure
    from cinelake.tmdb.server.changes import ChangeFeed
    from cinelake.tmdb.snapshot import load_snapshot

    comedy = known_ids[:797] + list(UNKNOWN_IDS)
    csv = write_movies_csv(tmp_path / "movies.csv", comedy, [])
    lake_dir = tmp_path / "lake"
    env = {**os.environ, "TMDB_READ_ACCESS_TOKEN": TOKEN}
    # A quarter of the titles edited a day: the window (3 days) names most of the lake, 6 or so chunks.
    configure(server, changes_per_day=0.25, today="2026-11-26")
    day1 = subprocess.run(command(lake_dir, csv, server), env=env, capture_output=True, timeout=300)
    assert day1.returncode == 0, day1.stderr.decode()[-2000:]
    lake = Lake(str(lake_dir))
    day1_files = lake.list_files("Raw/TMDB")
    lake_ids = {orjson.loads(line)["id"] for rel in day1_files for line in lake.read_bytes(rel).splitlines()}
    configure(server, today="2026-11-27", latency_ms=25)
    incremental = command(lake_dir, csv, server, "2026-11-27", "--incremental")
    killed = kill_repeatedly(incremental, lake_dir, env)
    print(f"killed the incremental run {killed} times")
    assert killed >= 2, "the runs finished before they could be killed: raise the latency"
    final = subprocess.run(incremental, env=env, capture_output=True, timeout=300)
    assert final.returncode == 0, final.stderr.decode()[-2000:]

    day2 = lake.list_files("Raw/TMDB/JSON/Movies/2026/11/27")
    ids = [orjson.loads(line)["id"] for rel in day2 for line in lake.read_bytes(rel).splitlines()]
    feed = ChangeFeed("movie", load_snapshot().movies)
    named = set(feed.changed(date(2026, 11, 25), date(2026, 11, 27), 0.25, date(2026, 11, 27)))
    assert len(ids) == len(set(ids)), "a title was written twice"
    assert set(ids) == named & lake_ids and len(ids) > 400
    runs = [TmdbRunBook(lake, p.name) for p in (lake_dir / "Raw/TMDB/_runs").iterdir()]
    [second] = [b for b in runs if b.run.startswith("20261127")]
    manifest = second.load_manifest()
    assert manifest is not None and manifest.status == "complete" and manifest.selection is not None
    assert manifest.selection.windows == [(date(2026, 11, 25), date(2026, 11, 27))]
    assert sorted(day2) == sorted(f.path for f in manifest.files)
