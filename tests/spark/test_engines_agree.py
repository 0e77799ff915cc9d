"""Both engines on the same Raw zone give the same lake: every Trusted and Refined dataset with the
same schema (names and types) and the same rows (order-independent), and the same analysis answer.

The Raw zone holds the test data of tests.spark.lakes (two days: duplicates, a malformed line, bare
records, a series, the challenge's CSV samples) and, on a third day, the whole packaged snapshot with
the packaged demo CSV and TV snapshot, and generated movies (10,000 rows) and series CSVs. This is
also the end-to-end run of both Spark jobs."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from cinelake.lake import layout
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from tests.spark.lakes import build_raw, jsonl
from tests.transform.compare import datasets, differences
from tests.transform.people_csv import assert_people_match, expected_people, generate_csv

pytestmark = [pytest.mark.integration, pytest.mark.spark, pytest.mark.slow]

DAY3 = date(2026, 11, 27)


def _snapshot_day(lake: Lake) -> int:
    """The packaged snapshots (movies, 100 records a file, and the 100 TV series) as Raw JSON Lines and
    the demo CSV, on DAY3."""
    snapshot = resources.files("cinelake.tmdb.snapshot").joinpath("movies.jsonl.gz")
    with gzip.open(str(snapshot), "rt", encoding="utf-8") as handle:
        movies = [json.loads(line) for line in handle if line.strip()]
    for start in range(0, len(movies), 100):
        rel = layout.raw_tmdb_file("Movies", DAY3, "snapshot", start // 100 + 1)
        lake.write_bytes(rel, jsonl(movies[start : start + 100]))
    tv = resources.files("cinelake.tmdb.snapshot").joinpath("tv.jsonl.gz")
    with gzip.open(str(tv), "rt", encoding="utf-8") as handle:
        series = [json.loads(line) for line in handle if line.strip()]
    lake.write_bytes(layout.raw_tmdb_file("Series", DAY3, "snapshot", 1), jsonl(series))
    demo = resources.files("cinelake.data").joinpath("demo_movies.csv")
    lake.copy_in(str(demo), layout.raw_local_csv_file(Kind.MOVIES, DAY3, "demo_movies.csv"))
    return len(movies)


def _generated_day(lake: Lake, folder: Path) -> None:
    """Generated CSVs in the challenge's format on DAY3: 10,000 movie rows, 1,000 series rows."""
    generate_csv(folder / "movies.csv", seed=30, rows=10_000)
    generate_csv(folder / "series.csv", seed=31, rows=1_000, series=True, lake_ids=("tt0944947",))
    lake.copy_in(folder / "movies.csv", layout.raw_local_csv_file(Kind.MOVIES, DAY3, "generated.csv"))
    lake.copy_in(folder / "series.csv", layout.raw_local_csv_file(Kind.SERIES, DAY3, "generated.csv"))


@pytest.fixture(scope="module")
def lakes(spark_session: Any, real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Lake, Lake]:
    from cinelake.catalog import crawl
    from cinelake.engines import raw_to_trusted, trusted_to_refined

    on_spark = Lake(str(tmp_path_factory.mktemp("on-spark")))
    build_raw(on_spark, real_data)
    assert _snapshot_day(on_spark) > 4000
    _generated_day(on_spark, tmp_path_factory.mktemp("generated"))
    on_duckdb = Lake(str(tmp_path_factory.mktemp("on-duckdb")))
    shutil.copytree(on_spark.uri("Raw"), on_duckdb.uri("Raw"))
    for lake, engine in ((on_spark, "spark"), (on_duckdb, "duckdb")):
        crawl(lake, zone="Raw")
        raw_to_trusted(lake, engine=engine, spark=spark_session)
        trusted_to_refined(lake, engine=engine, spark=spark_session)
    return on_spark, on_duckdb


def test_every_trusted_and_refined_dataset_is_the_same(lakes: tuple[Lake, Lake]) -> None:
    on_spark, on_duckdb = lakes
    names = datasets(on_spark)
    assert "Trusted/TMDB/PARQUET/Series" in names and "Refined/fact_movie_history" in names
    # four Trusted datasets; 12 film, 7 series and 4 people Refined tables
    assert len(names) == 4 + 23
    assert differences(on_spark, on_duckdb) == []


def test_the_people_tables_equal_an_independent_computation_in_both(lakes: tuple[Lake, Lake]) -> None:
    """Person keys (the hash of ``name|birth_year``) and every people row as plain Python computes
    them from the Raw CSVs (the challenge's rows, the demo CSV, the generated ones)."""
    want = expected_people(lakes[0])
    assert len(want.persons) > 2000
    for lake in lakes:
        assert_people_match(lake, want)


def test_the_analysis_answers_are_the_same(lakes: tuple[Lake, Lake]) -> None:
    from cinelake.analysis import budget_vs_revenue

    answers = [budget_vs_revenue(lake).to_dict() for lake in lakes]
    for answer in answers:
        answer.pop("generated_at", None)
        answer.get("source", {}).pop("location", None)
    assert answers[0]["genres"] == answers[1]["genres"]
    assert answers[0]["genres"]["Comedy"]["eligible"] > 100


def test_the_series_tables_hold_the_tv_snapshot(lakes: tuple[Lake, Lake]) -> None:
    import duckdb

    from cinelake.tables.reading import load_iceberg, scan_sql
    from cinelake.tables.registry import refined_table
    from cinelake.tables.store import load

    for lake in lakes:  # Game of Thrones, the test data's series, is one of the snapshot's 100
        fact = load(lake, refined_table("fact_series"))
        bridge = load(lake, refined_table("bridge_series_language"))
        assert fact is not None and bridge is not None
        with duckdb.connect() as con:
            load_iceberg(con)
            assert con.execute(f"SELECT count(*) FROM {scan_sql(fact)}").fetchone() == (100,)
            assert con.execute(f"SELECT count(*) FROM {scan_sql(bridge)}").fetchone()[0] > 100


def test_the_same_record_of_raw_files(lakes: tuple[Lake, Lake]) -> None:
    """Both engines record the same Raw files for each Trusted day in their tables' snapshots."""
    from cinelake.tables.registry import TRUSTED_TABLES
    from cinelake.tables.store import load, summary

    def recorded(lake: Lake) -> dict[str, dict[str, str]]:
        return {
            t.name: {k: v for k, v in summary(load(lake, t)).items() if k.startswith("cinelake.")}
            for t in TRUSTED_TABLES
        }

    assert recorded(lakes[0]) == recorded(lakes[1])
    assert recorded(lakes[0])["trusted_tmdb_movies"]["cinelake.raw-sources"]
