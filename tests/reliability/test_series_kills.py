"""SIGKILL a series ingest while its /tv/{id} requests are in flight, then rerun to the end: each series of
the packaged TV snapshot is in the lake exactly once, and the lake equals that of an uninterrupted run."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from cinelake.lake.store import Lake
from cinelake.tmdb.server import configure, fetch_stats, reset_stats
from cinelake.tmdb.snapshot.tv import load_tv_snapshot
from tests.reliability.conftest import TOKEN
from tests.reliability.kill import kill_when, run_to_end
from tests.reliability.lakecheck import (
    assert_every_title_once,
    file_tree,
    manifest_of,
    raw_records,
    temp_files,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAY = "2026-11-26"
KILLS = 4
BOOKKEEPING = ("Raw/TMDB/_runs", "_locks")


def series_args(lake: str) -> list[str]:
    """Every series of the offline snapshot (100 ids, one chunk), a few requests at a time."""
    return [
        "ingest", "tmdb", "--discover", "--kind", "series", "--genres", "all",
        "--lake", lake, "--date", DAY, "--rate-limit", "0", "--concurrency", "4",
    ]  # fmt: skip


def test_sigkill_during_a_series_ingest_then_rerun_leaves_each_series_once(tmdb: str, tmp_path: Path) -> None:
    """Each attempt is killed once the server has answered a random number of its /tv/{id} requests,
    so the kill lands while the chunk's requests are in flight (or its file and checkpoint are written)."""
    env = {"TMDB_READ_ACCESS_TOKEN": TOKEN, "TMDB_BASE_URL": tmdb}
    configure(tmdb, latency_ms=30)
    run_to_end(series_args("clean"), cwd=tmp_path, env=env)
    lake_root = tmp_path / "lake"
    rng = random.Random(20261129)
    landed = 0
    for _ in range(KILLS):
        reset_stats(tmdb)
        at = rng.randint(10, 100)

        def served(count: int = at) -> bool:
            paths = [entry["path"] for entry in fetch_stats(tmdb, log=True)["log"]]
            return sum(1 for p in paths if p.startswith("/3/tv/")) >= count

        landed += kill_when(series_args("lake"), served, rng.uniform(0.0, 0.1), cwd=tmp_path, env=env)
        raw_records(Lake(str(lake_root)))  # whatever the kill interrupted, every visible file is whole
    run_to_end(series_args("lake"), cwd=tmp_path, env=env)

    killed, clean = Lake(str(lake_root)), Lake(str(tmp_path / "clean"))
    run = next(p.name for p in (tmp_path / "clean/Raw/TMDB/_runs").iterdir())
    manifest = manifest_of(killed, run)
    assert manifest.status == "complete"
    assert manifest.counts == manifest_of(clean, run).counts
    files = assert_every_title_once(killed, manifest)
    assert {r["id"] for rows in files.values() for r in rows} == set(load_tv_snapshot().series)
    assert all(path.startswith("Raw/TMDB/JSON/Series/2026/11/26/") for path in files)
    assert file_tree(lake_root, skip=BOOKKEEPING) == file_tree(tmp_path / "clean", skip=BOOKKEEPING)
    assert temp_files(lake_root) == []
    assert landed >= 1
