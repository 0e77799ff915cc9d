"""Day 1 full, day 2 incremental against the offline server's change feed, through the pipeline's steps.

The second day's answers and Refined rows must equal those of a full refresh of that day in another lake:
the incremental run fetched only the edited titles, and the current state of each title is its latest day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest

from cinelake.config import Settings
from cinelake.ingest.local_csv import MOVIES_COLUMNS
from cinelake.lake.layout import raw_tmdb_dir
from cinelake.lake.store import Lake
from cinelake.pipeline import demo_csv, run_pipeline
from cinelake.tmdb.server import configure, serve_in_thread

pytestmark = [pytest.mark.integration, pytest.mark.spark, pytest.mark.slow]

TOKEN = "incremental-pipeline-token"
DAY1 = date(2026, 11, 26)
DAY2 = DAY1 + timedelta(days=1)
GENRES = ("Comedy", "Animation")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve_in_thread(token=TOKEN, changes_per_day=0.05) as url:
        yield url


@pytest.fixture(scope="module")
def small_demo_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 200 Comedy/Animation titles of the packaged demo CSV (all their rows)."""
    lines = demo_csv().read_text(encoding="utf-8").splitlines()
    assert lines[0].split("|") == list(MOVIES_COLUMNS)
    wanted: list[str] = []
    rows = []
    for line in lines[1:]:
        fields = line.split("|")
        if not set(fields[5].split(",")) & set(GENRES):
            continue
        if fields[0] not in wanted:
            if len(wanted) == 200:
                continue
            wanted.append(fields[0])
        rows.append(line)
    path = tmp_path_factory.mktemp("csv") / "movies.csv"
    path.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    return path


def run(lake: Lake, csv: Path, day: date, server: str, tmp: Path, *, incremental: bool) -> Any:
    configure(server, today=day.isoformat())
    settings = Settings(tmdb_base_url=server, tmdb_read_access_token=TOKEN, tmdb_rate_limit=0)
    return run_pipeline(
        lake,
        [csv],
        settings=settings,
        day=day,
        genres=GENRES,
        out_dir=tmp / "reports",
        incremental=incremental,
    )


def raw_ids(lake: Lake, day: date) -> list[int]:
    files = lake.list_files(raw_tmdb_dir("Movies", day))
    return [orjson.loads(line)["id"] for rel in files for line in lake.read_bytes(rel).splitlines()]


def refined(lake_dir: Path, table: str, drop: str = "") -> list[tuple[Any, ...]]:
    """The Refined table's rows at its current snapshot (through Iceberg), sorted."""
    from cinelake.tables.reading import load_iceberg, scan_sql
    from cinelake.tables.registry import refined_table
    from cinelake.tables.store import load

    found = load(Lake(str(lake_dir)), refined_table(table))
    assert found is not None, table
    exclude = f"EXCLUDE ({drop})" if drop else ""
    with duckdb.connect() as con:
        load_iceberg(con)
        return con.execute(f"SELECT * {exclude} FROM {scan_sql(found)} ORDER BY ALL").fetchall()


def test_incremental_day_two_equals_a_full_refresh(tmp_path: Path, small_demo_csv: Path, server: str) -> None:
    daily_dir, full_dir = tmp_path / "daily", tmp_path / "full"
    daily, full = Lake(str(daily_dir)), Lake(str(full_dir))
    run(daily, small_demo_csv, DAY1, server, tmp_path, incremental=True)  # nothing earlier: a full run
    day1_ids = set(raw_ids(daily, DAY1))
    second = run(daily, small_demo_csv, DAY2, server, tmp_path, incremental=True)
    refresh = run(full, small_demo_csv, DAY2, server, tmp_path, incremental=False)

    from cinelake.tmdb.server.changes import ChangeFeed
    from cinelake.tmdb.snapshot import load_snapshot

    edited = set(
        ChangeFeed("movie", load_snapshot().movies).changed(DAY1 - timedelta(days=1), DAY2, 0.05, DAY2)
    )
    fetched = raw_ids(daily, DAY2)
    assert sorted(fetched) == sorted(edited & day1_ids) and fetched
    assert len(fetched) < len(day1_ids) / 4
    # The answers and the current Refined rows are those of a full refresh of day 2.
    assert second.analysis.to_dict()["genres"] == refresh.analysis.to_dict()["genres"]
    assert second.analysis.to_dict()["genres"]["Comedy"]["eligible"] > 0
    facts = refined(daily_dir, "fact_movie", "snapshot_date")
    assert facts == refined(full_dir, "fact_movie", "snapshot_date") and facts
    assert refined(daily_dir, "dim_movie") == refined(full_dir, "dim_movie")
