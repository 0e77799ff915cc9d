"""Freshness facts: the dates and record counts of every dataset the lake holds."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from cinelake.analysis import freshness
from cinelake.lake import layout
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from cinelake.tables.datasets import DATASETS
from cinelake.tables.registry import trusted_table
from cinelake.tables.store import write_arrow
from tests.analysis.films import hand_checked_movies
from tests.analysis.lakes import write_raw, write_refined

pytestmark = pytest.mark.integration


def _trusted(rows: int, day: date) -> Any:
    import pyarrow as pa

    return pa.table({"id": list(range(rows)), "dt": [day] * rows})


@pytest.mark.parametrize("url", ["local", "memory://freshness"])
def test_dates_and_counts_per_dataset(url: str, tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake") if url == "local" else url)
    try:
        movies = hand_checked_movies()
        write_raw(lake, movies[:10], date(2026, 11, 25), run="a")
        write_raw(lake, movies[10:], date(2026, 11, 26), run="b")
        csv = 'id|title\ntt1|"A | quoted, title"\ntt2|B\n\ntt3|C\n'
        lake.write_bytes(
            layout.raw_local_csv_file(Kind.MOVIES, date(2026, 11, 24), "movies.csv"), csv.encode()
        )
        for day, rows in ((date(2026, 11, 25), 3), (date(2026, 11, 26), 4)):
            write_arrow(lake, trusted_table(DATASETS[0]), _trusted(rows, day), replace=[day.isoformat()])
        write_refined(lake, movies, date(2026, 11, 26))
        lake.write_bytes(f"{layout.run_dir('a')}/manifest.json", b"{}")  # bookkeeping: not a dataset

        facts = freshness(lake)
        found = {d.dataset: d for d in facts.datasets}
        tmdb = found["Raw/TMDB/JSON/Movies"]
        assert (tmdb.dates, tmdb.files, tmdb.records) == (("2026-11-25", "2026-11-26"), 2, len(movies))
        assert tmdb.latest == "2026-11-26"
        local = found["Raw/Local/CSV/Movies"]
        assert (local.dates, local.files, local.records) == (("2026-11-24",), 1, 3)
        trusted = found["Trusted/TMDB/PARQUET/Movies"]
        assert (trusted.zone, trusted.dates, trusted.records) == ("Trusted", ("2026-11-25", "2026-11-26"), 7)
        assert found["Refined/fact_movie"].records == len(movies)
        assert found["Refined/dim_genre"].records == 3  # Comedy, Animation, Drama
        assert all(not d.dataset.startswith("Raw/TMDB/_") for d in facts.datasets)
        assert facts.to_dict()["datasets"][0]["zone"] == "Raw"
    finally:
        if url != "local":
            lake.delete("")


def test_an_empty_lake_has_no_datasets(tmp_path: Path) -> None:
    assert freshness(Lake(str(tmp_path / "empty"))).datasets == ()


def test_the_summary_gives_what_planning_the_files_gives(raw_lake: Lake) -> None:
    """Every table the transforms commit: files, rows and ``dt`` days from the snapshot's summary (one
    metadata read) equal those of the files pyiceberg plans (the manifests read), and Raw days that
    became Trusted are the Trusted table's days."""
    from cinelake.engines import raw_to_trusted, trusted_to_refined
    from cinelake.tables.reading import existing_tables, snapshot_facts

    raw_to_trusted(raw_lake, engine="duckdb", catalog="none")
    trusted_to_refined(raw_lake, engine="duckdb", catalog="none")
    tables = existing_tables(raw_lake)
    assert len(tables) > 20
    for table, iceberg in tables:
        planned = [task.file for task in iceberg.scan().plan_files()]
        epoch = date(1970, 1, 1)  # Iceberg keeps a date partition as days since the epoch
        days = (
            sorted({(epoch + timedelta(days=f.partition[0])).isoformat() for f in planned})
            if table.partition == "dt"
            else []
        )
        want = (len(planned), sum(int(f.record_count) for f in planned), tuple(days))
        summary = iceberg.current_snapshot().summary.additional_properties  # type: ignore[union-attr]
        assert "total-records" in summary, table.name
        if table.partition == "dt":
            assert "cinelake.raw-sources" in summary, table.name
        assert snapshot_facts(raw_lake, table) == want, table.name
    trusted = {d.dataset: d for d in freshness(raw_lake).datasets}["Trusted/TMDB/PARQUET/Movies"]
    assert trusted.dates and trusted.records
