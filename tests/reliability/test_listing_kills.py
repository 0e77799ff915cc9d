"""SIGKILL a discover run while it lists its ids, several times, then rerun to the end: the listing
resumes from the steps it saved (the last run asks for fewer pages than a whole listing), and the lake
equals that of an uninterrupted run."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from cinelake.lake.store import Lake
from cinelake.tmdb.server import configure, fetch_stats, reset_stats
from tests.reliability.conftest import TOKEN
from tests.reliability.figures import FIGURES
from tests.reliability.kill import kill_when, run_to_end
from tests.reliability.lakecheck import assert_every_title_once, file_tree, manifest_of, temp_files

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAY = "2026-11-26"
KILLS = 4
BOOKKEEPING = ("Raw/TMDB/_runs", "_locks")
PAGES = 120  # "Action" in the movie snapshot: 2,384 titles, 120 pages of discover


def listing_args(lake: str) -> list[str]:
    return [
        "ingest", "tmdb", "--discover", "--genres", "Action",
        "--lake", lake, "--date", DAY, "--rate-limit", "0", "--concurrency", "4",
    ]  # fmt: skip


def discover_pages(tmdb: str) -> int:
    return sum(1 for e in fetch_stats(tmdb, log=True)["log"] if e["path"].startswith("/3/discover/movie"))


def test_sigkill_while_listing_then_rerun_resumes_the_listing(tmdb: str, tmp_path: Path) -> None:
    """Each attempt is killed once the server has answered it a random 5 to 20 discover pages (plus 0 to
    0.1 s), so every kill lands while the listing goes on; each attempt reuses the steps saved before."""
    env = {"TMDB_READ_ACCESS_TOKEN": TOKEN, "TMDB_BASE_URL": tmdb}
    reset_stats(tmdb)
    run_to_end(listing_args("clean"), cwd=tmp_path, env=env)
    assert discover_pages(tmdb) == PAGES
    lake_root = tmp_path / "lake"
    run = next(p.name for p in (tmp_path / "clean/Raw/TMDB/_runs").iterdir())
    steps = lake_root / "Raw/TMDB/_runs" / run / "listing"
    rng = random.Random(20261129)
    landed = 0
    configure(tmdb, latency_ms=30)  # the killed attempts list slowly, so each kill lands mid-listing
    for _ in range(KILLS):
        reset_stats(tmdb)
        at = rng.randint(5, 20)

        def served(count: int = at) -> bool:
            return discover_pages(tmdb) >= count

        landed += kill_when(listing_args("lake"), served, rng.uniform(0.0, 0.1), cwd=tmp_path, env=env)
        assert not (lake_root / "Raw/TMDB/_runs" / run / "plan.json").exists()  # killed while listing
    saved = len(list(steps.iterdir()))
    assert 1 <= saved < 13  # 13 steps: the first page and 12 blocks of up to 10 pages

    configure(tmdb, latency_ms=0)
    reset_stats(tmdb)
    run_to_end(listing_args("lake"), cwd=tmp_path, env=env)
    last_pages = discover_pages(tmdb)
    assert last_pages < PAGES  # the listing resumed instead of starting over
    FIGURES["kill_listing"] = {
        "kills": KILLS,
        "landed": landed,
        "steps_saved": saved,
        "last_run_pages": last_pages,
    }
    killed, clean = Lake(str(lake_root)), Lake(str(tmp_path / "clean"))
    manifest = manifest_of(killed, run)
    assert manifest.status == "complete"
    assert manifest.counts == manifest_of(clean, run).counts
    assert_every_title_once(killed, manifest)
    assert file_tree(lake_root, skip=BOOKKEEPING) == file_tree(tmp_path / "clean", skip=BOOKKEEPING)
    assert temp_files(lake_root) == []
    assert landed >= 1
