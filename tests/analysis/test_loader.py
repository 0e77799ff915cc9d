"""The loader both kinds read through (cinelake.analysis.loader): its series rule that Refined tables
holding no series fall back to Raw under ``auto``, and its one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from cinelake.analysis import FILMS, SERIES
from cinelake.analysis.loader import NoAnalysisData, check_engine, load, load_with
from cinelake.errors import UsageError
from cinelake.lake.store import Lake
from cinelake.tables.registry import refined_table
from cinelake.tables.store import write_arrow

_EMPTY = {
    "fact_series": "SELECT 1::BIGINT AS series_key, 1.0::DOUBLE AS popularity, 1.0::DOUBLE AS vote_average, "
    "1::BIGINT AS vote_count, 1::INTEGER AS seasons, 1::INTEGER AS episodes, "
    "DATE '2024-01-01' AS snapshot_date",
    "dim_series": "SELECT 1::BIGINT AS series_key, 1::BIGINT AS tmdb_id, 'tt1' AS imdb_id, 'x' AS name, "
    "'x' AS original_name, 2020::INTEGER AS first_air_year",
    "bridge_series_genre": "SELECT 1::BIGINT AS series_key, 1::BIGINT AS genre_key",
    "dim_genre": "SELECT 1::BIGINT AS genre_key, 'Comedy' AS name",
}


def _lake_with_empty_refined_series(root: Path) -> Lake:
    """Refined series tables with their columns and no row (committed as Iceberg tables), and one Raw
    series a day."""
    root.mkdir(parents=True)
    lake = Lake(str(root))
    con = duckdb.connect()
    for table in SERIES.queries.refined_tables:
        empty = con.execute(f"{_EMPTY[table]} WHERE false").to_arrow_table()
        write_arrow(lake, refined_table(table), empty)
    con.close()
    raw = root / "Raw" / "TMDB" / "JSON" / "Series" / "2024" / "01" / "02"
    raw.mkdir(parents=True)
    show = {
        "id": 42,
        "name": "Show",
        "first_air_date": "2019-03-01",
        "genres": [{"id": 35, "name": "Comedy"}],
        "popularity": 3.5,
        "vote_average": 7.5,
        "vote_count": 120,
        "number_of_seasons": 2,
        "number_of_episodes": 0,
        "external_ids": {"imdb_id": "tt42"},
    }
    (raw / "series.json").write_text(json.dumps(show) + "\n", encoding="utf-8")
    return Lake(str(root))


def test_auto_reads_raw_series_when_refined_holds_none(tmp_path: Path) -> None:
    lake = _lake_with_empty_refined_series(tmp_path / "lake")
    loaded = load(lake, SERIES)
    assert loaded.source.zone == "Raw"
    assert loaded.source.snapshot == "2024-01-02"
    [row] = loaded.rows
    assert (row.tmdb_id, row.imdb_id, row.first_air_year, row.genres) == (42, "tt42", 2019, ("Comedy",))
    assert (row.seasons, row.episodes) == (2, None)  # 0 episodes is TMDB's "unknown"
    refined = load(lake, SERIES, zone="refined")
    assert refined.source.zone == "Refined" and refined.rows == []


def test_films_do_not_fall_back_and_missing_tables_are_named(tmp_path: Path) -> None:
    assert SERIES.queries.raw_when_refined_empty and not FILMS.queries.raw_when_refined_empty
    lake = _lake_with_empty_refined_series(tmp_path / "lake")
    with pytest.raises(
        NoAnalysisData, match=r"has no Refined table fact_movie, dim_movie, bridge_movie_genre$"
    ):
        load_with(lake, FILMS, zone="refined")


def test_engine_and_zone_mistakes_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown engine 'spark': choose one of duckdb, athena"):
        check_engine("spark")
    with pytest.raises(UsageError, match="use it with --query-engine duckdb"):
        load_with(Lake(str(tmp_path)), SERIES, engine="athena", zone="raw")
    with pytest.raises(UsageError, match="unknown source zone 'trusted'"):
        load_with(Lake(str(tmp_path)), SERIES, zone="trusted")  # type: ignore[arg-type]
