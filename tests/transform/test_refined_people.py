"""The local CSVs' own data in Refined (DuckDB engine): the people tables equal an independent
computation from the Raw CSV files, on the challenge's real rows and on a generated CSV of 10,000 rows;
CSV titles TMDB lacks are in the dimensions with source ``csv``; person keys are the same on a rerun;
an incremental day 2 (the CSV unchanged, some TMDB films edited) leaves the people alone and moves the
facts. Both engines giving the same tables is tests/spark/test_engines_agree.py's."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cinelake.lake import layout
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from tests.spark.lakes import DAY1, DAY2, SERIES_RECORD, jsonl, snapshot_movies
from tests.transform.conftest import Pipeline
from tests.transform.people_csv import (
    PEOPLE_TABLES,
    assert_people_match,
    expected_people,
    generate_csv,
    generated_imdb_id,
    sql,
)

pytestmark = [pytest.mark.integration]

GENERATED_ROWS = 10_000


@dataclass
class PeopleLake:
    lake: Lake
    lake_ids: tuple[str, ...]


def _run(lake: Lake) -> None:
    from cinelake.engines import raw_to_trusted, trusted_to_refined

    raw_to_trusted(lake, engine="duckdb")
    trusted_to_refined(lake, engine="duckdb", catalog="none")


@pytest.fixture(scope="module")
def people_lake(tmp_path_factory: pytest.TempPathFactory) -> PeopleLake:
    """60 snapshot films and a series from TMDB, a generated movies CSV of 10,000 rows (some of whose
    titles are TMDB's films) and a generated series CSV (with the TMDB series among its titles)."""
    root = tmp_path_factory.mktemp("people-lake")
    lake = Lake(str(root / "lake"))
    movies = snapshot_movies()
    lake.write_bytes(layout.raw_tmdb_file("Movies", DAY1, "run-a", 1), jsonl(movies))
    lake.write_bytes(layout.raw_tmdb_file("Series", DAY1, "run-a", 1), jsonl([SERIES_RECORD]))
    lake_ids = tuple(m["imdb_id"] for m in movies[:30])
    generate_csv(root / "movies.csv", seed=20, rows=GENERATED_ROWS, lake_ids=lake_ids)
    generate_csv(root / "series.csv", seed=21, rows=1_000, series=True, lake_ids=("tt0944947",))
    lake.copy_in(root / "movies.csv", layout.raw_local_csv_file(Kind.MOVIES, DAY1, "movies.csv"))
    lake.copy_in(root / "series.csv", layout.raw_local_csv_file(Kind.SERIES, DAY1, "series.csv"))
    _run(lake)
    return PeopleLake(lake, lake_ids)


def test_the_real_challenge_rows_give_the_people_an_independent_computation_gives(pipeline: Pipeline) -> None:
    want = expected_people(pipeline.lake)
    assert want.bridges[Kind.MOVIES] and want.bridges[Kind.SERIES]
    assert_people_match(pipeline.lake, want)


def test_a_generated_csv_of_10000_rows_gives_the_people_an_independent_computation_gives(
    people_lake: PeopleLake,
) -> None:
    want = expected_people(people_lake.lake)
    assert len(want.persons) > 1000 and len(want.bridges[Kind.MOVIES]) > 9000
    assert want.csv_ids[Kind.MOVIES] & want.tmdb_ids[Kind.MOVIES]  # some titles are TMDB's too
    assert_people_match(people_lake.lake, want)


def test_a_csv_title_tmdb_lacks_is_in_the_dimension_with_source_csv(people_lake: PeopleLake) -> None:
    lake = people_lake.lake
    first = generated_imdb_id(1)
    row = sql(
        lake,
        "SELECT movie_key, tmdb_id, title, original_title, release_year, release_date, imdb_genres, source "
        f"FROM {{dim_movie}} WHERE imdb_id = '{first}'",
    )
    assert len(row) == 1
    key, tmdb_id, title, original, year, released, genres, source = row[0]
    assert (tmdb_id, title, original, released, source) == (None, "Title 1", "Original 1", None, "csv")
    assert key < 0 and 1920 <= year <= 2024 and genres
    # Facts keep the titles TMDB knows: the analysis reads them with their TMDB ids.
    assert sql(lake, f"SELECT count(*) FROM {{fact_movie}} WHERE movie_key = {key}") == [(0,)]
    orphans = (
        "SELECT count(*) FROM {fact_movie} f JOIN {dim_movie} d USING (movie_key) WHERE d.tmdb_id IS NULL"
    )
    assert sql(lake, orphans) == [(0,)]
    # Keys never meet: every dimension key once, TMDB's positive, the CSV's negative.
    for dim, key_column in (("dim_movie", "movie_key"), ("dim_series", "series_key")):
        assert sql(
            lake,
            f"SELECT count(*) = count(DISTINCT {key_column}), "
            f"bool_and(({key_column} < 0) = (source = 'csv')) FROM {{{dim}}}",
        ) == [(True, True)], dim


def test_a_title_in_both_carries_the_csv_ratings_and_genres(people_lake: PeopleLake) -> None:
    lake = people_lake.lake
    both = sql(
        lake,
        "SELECT d.tmdb_id, d.imdb_genres, f.imdb_rating, f.imdb_votes FROM {dim_movie} d "
        "JOIN {fact_movie} f USING (movie_key) WHERE d.source = 'both'",
    )
    assert both and all(
        tmdb_id > 0 and genres and rating and votes for tmdb_id, genres, rating, votes in both
    )
    series = sql(
        lake,
        "SELECT d.source, d.end_year IS NOT NULL OR d.imdb_genres IS NOT NULL, f.imdb_rating, f.imdb_votes, "
        "f.runtime FROM {fact_series} f JOIN {dim_series} d USING (series_key) WHERE series_key = 1399",
    )
    source, has_csv_columns, rating, votes, runtime = series[0]
    assert source == "both" and has_csv_columns and rating is not None and votes is not None
    assert runtime == 60  # TMDB's episode run time wins over the CSV's


def _people(lake: Lake) -> dict[str, list[tuple[Any, ...]]]:
    return {table: sorted(sql(lake, f"SELECT * FROM {{{table}}}"), key=repr) for table in PEOPLE_TABLES}


def _raw_copy(lake: Lake, tmp_path: Path) -> Lake:
    """A new lake with ``lake``'s Raw zone only: an Iceberg table's metadata names its files by their
    full path, so a lake's tables are rebuilt in the copy, not copied."""
    copy = Lake(str(tmp_path / "lake"))
    shutil.copytree(lake.uri("Raw"), copy.uri("Raw"))
    return copy


def test_a_rerun_gives_the_same_person_keys(people_lake: PeopleLake, tmp_path: Path) -> None:
    from cinelake.engines import trusted_to_refined

    before = _people(people_lake.lake)
    copy = _raw_copy(people_lake.lake, tmp_path)
    _run(copy)  # the same Raw transformed again, in another lake
    assert _people(copy) == before
    trusted_to_refined(copy, engine="duckdb", catalog="none")  # and Refined rebuilt over it
    assert _people(copy) == before


def test_an_incremental_day_2_leaves_the_people_and_moves_the_facts(
    people_lake: PeopleLake, tmp_path: Path
) -> None:
    lake = _raw_copy(people_lake.lake, tmp_path)
    _run(lake)
    before = _people(lake)
    edited = []
    for movie in snapshot_movies()[:5]:
        movie["vote_average"] = 1.25
        movie["popularity"] = 999.5
        edited.append(movie)
    lake.write_bytes(layout.raw_tmdb_file("Movies", DAY2, "run-b", 1), jsonl(edited))
    # The same CSV again on day 2: a new dt for every CSV title, the same people.
    same = people_lake.lake.read_bytes(layout.raw_local_csv_file(Kind.MOVIES, DAY1, "movies.csv"))
    lake.write_bytes(layout.raw_local_csv_file(Kind.MOVIES, DAY2, "movies.csv"), same)
    _run(lake)
    assert _people(lake) == before
    ids = ", ".join(str(m["id"]) for m in edited)
    facts = sql(
        lake,
        f"SELECT vote_average, popularity, snapshot_date FROM {{fact_movie}} WHERE movie_key IN ({ids})",
    )
    assert facts == [(1.25, 999.5, DAY2)] * 5
    untouched = sql(lake, f"SELECT DISTINCT snapshot_date FROM {{fact_movie}} WHERE movie_key NOT IN ({ids})")
    assert untouched == [(DAY1,)]
    assert sql(lake, "SELECT count(*) FROM {fact_movie}") == [(60,)]


def test_the_catalog_describes_the_people_tables(pipeline: Pipeline) -> None:
    """The Refined job commits the people tables to the lake's Iceberg catalog: what `catalog show`
    prints lists each one's columns."""
    from cinelake.tables.describe import iceberg_catalog_table

    def show(lake: Lake, name: str) -> Any:
        found = iceberg_catalog_table(lake, name)
        assert found is not None, name
        return found

    want = {
        "dim_person": ["person_key", "name", "birth_year", "death_year", "professions"],
        "bridge_movie_person": ["movie_key", "person_key", "category", "character", "professions"],
        "bridge_series_person": ["series_key", "person_key", "category", "character", "professions"],
        "bridge_person_known_for": ["person_key", "imdb_id", "movie_key", "series_key"],
    }
    for table, columns in want.items():
        found = show(pipeline.lake, table)
        assert [c.name for c in found.columns] == columns, table
    assert {"source", "imdb_genres"} <= {c.name for c in show(pipeline.lake, "dim_movie").columns}
