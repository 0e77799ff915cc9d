"""Trusted -> Refined on DuckDB: the star schema of ARCHITECTURE.md, its keys, the latest day winning."""

from __future__ import annotations

from typing import Any

import pytest

from cinelake.engines import trusted_to_refined
from cinelake.errors import UsageError
from cinelake.lake.store import Lake
from cinelake.tables.registry import REFINED_NAMES as TABLES
from cinelake.transform import refined_sql
from tests.spark.lakes import DAY1, DAY2, FIGHT_CLUB
from tests.transform.conftest import Pipeline

pytestmark = [pytest.mark.integration]

CONTRACT = {
    "fact_movie": {
        "movie_key": "int64",
        "release_date_key": "int32",
        "budget": "int64",
        "revenue": "int64",
        "profit": "int64",
        "roi": "double",
        "popularity": "double",
        "vote_average": "double",
        "vote_count": "int64",
        "runtime": "int32",
        "imdb_rating": "double",
        "imdb_votes": "int64",
        "snapshot_date": "date32[day]",
    },
    "fact_movie_history": {
        "movie_key": "int64",
        "snapshot_date": "date32[day]",
        "vote_average": "double",
        "vote_count": "int64",
        "popularity": "double",
        "budget": "int64",
        "revenue": "int64",
    },
    "dim_movie": {
        "movie_key": "int64",
        "tmdb_id": "int64",
        "imdb_id": "string",
        "title": "string",
        "original_title": "string",
        "original_language": "string",
        "release_date": "date32[day]",
        "release_year": "int32",
        "status": "string",
        "imdb_genres": "list<element: string>",
        "source": "string",
    },
    "dim_date": {
        "date_key": "int32",
        "date": "date32[day]",
        "year": "int32",
        "quarter": "int32",
        "month": "int32",
        "day": "int32",
        "day_of_week": "int32",
    },
    "dim_genre": {"genre_key": "int64", "genre_id": "int64", "name": "string"},
    "bridge_movie_genre": {"movie_key": "int64", "genre_key": "int64"},
    "dim_language": {"language_key": "string", "name": "string"},
    "bridge_movie_language": {"movie_key": "int64", "language_key": "string"},
    "dim_country": {"country_key": "string", "name": "string"},
    "bridge_movie_country": {"movie_key": "int64", "country_key": "string"},
    "dim_company": {"company_key": "int64", "name": "string"},
    "bridge_movie_company": {"movie_key": "int64", "company_key": "int64"},
    "fact_series": {
        "series_key": "int64",
        "first_air_date_key": "int32",
        "vote_average": "double",
        "vote_count": "int64",
        "popularity": "double",
        "seasons": "int32",
        "episodes": "int32",
        "runtime": "int32",
        "imdb_rating": "double",
        "imdb_votes": "int64",
        "snapshot_date": "date32[day]",
    },
    "dim_series": {
        "series_key": "int64",
        "tmdb_id": "int64",
        "imdb_id": "string",
        "name": "string",
        "original_name": "string",
        "original_language": "string",
        "first_air_date": "date32[day]",
        "first_air_year": "int32",
        "last_air_date": "date32[day]",
        "last_air_year": "int32",
        "status": "string",
        "type": "string",
        "in_production": "bool",
        "seasons": "int32",
        "episodes": "int32",
        "networks": "list<element: string>",
        "languages": "list<element: string>",
        "countries": "list<element: string>",
        "end_year": "int32",
        "imdb_genres": "list<element: string>",
        "source": "string",
    },
    "bridge_series_genre": {"series_key": "int64", "genre_key": "int64"},
    "dim_network": {"network_key": "int64", "name": "string"},
    "bridge_series_network": {"series_key": "int64", "network_key": "int64"},
    "bridge_series_language": {"series_key": "int64", "language_key": "string"},
    "bridge_series_country": {"series_key": "int64", "country_key": "string"},
    "dim_person": {
        "person_key": "int64",
        "name": "string",
        "birth_year": "int32",
        "death_year": "int32",
        "professions": "list<element: string>",
    },
    "bridge_movie_person": {
        "movie_key": "int64",
        "person_key": "int64",
        "category": "string",
        "character": "string",
        "professions": "list<element: string>",
    },
    "bridge_series_person": {
        "series_key": "int64",
        "person_key": "int64",
        "category": "string",
        "character": "string",
        "professions": "list<element: string>",
    },
    "bridge_person_known_for": {
        "person_key": "int64",
        "imdb_id": "string",
        "movie_key": "int64",
        "series_key": "int64",
    },
}


def test_tables_and_columns_follow_the_contract(pipeline: Pipeline) -> None:
    assert set(TABLES) == set(CONTRACT) == set(refined_sql.TABLES)  # one list of tables, both engines
    for table, columns in CONTRACT.items():
        schema = pipeline.arrow_schema(f"Refined/{table}")
        # DuckDB names a list's element "l"; Parquet and Arrow say "element".
        types = {name: str(schema.field(name).type).replace("<l: ", "<element: ") for name in schema.names}
        for column, kind in columns.items():
            assert types.get(column) == kind, (table, column, types.get(column))


def test_row_counts(pipeline: Pipeline) -> None:
    movies = len(pipeline.raw.day1_ids | pipeline.raw.day2_ids)
    counts = pipeline.refined.tables
    assert counts["Refined/fact_movie"] == movies
    # dim_movie: every TMDB film, and every CSV film TMDB lacks.
    assert pipeline.sql("SELECT count(*) FROM {Refined/dim_movie} WHERE source <> 'csv'") == [(movies,)]
    assert pipeline.sql("SELECT count(DISTINCT movie_key) FROM {Refined/fact_movie}") == [(movies,)]
    for table, rows in counts.items():
        assert pipeline.sql(f"SELECT count(*) FROM {{{table}}}") == [(rows,)]
    # The date dimension covers every day from the first to the last release, once each.
    span = pipeline.sql(
        "SELECT count(*), count(DISTINCT date_key), max(date) - min(date) + 1 FROM {Refined/dim_date}"
    )[0]
    assert span[0] == span[1] == span[2]


def test_every_fact_and_bridge_key_is_in_its_dimension(pipeline: Pipeline) -> None:
    checks = [
        ("fact_movie", "movie_key", "dim_movie", "movie_key"),
        ("fact_movie", "release_date_key", "dim_date", "date_key"),
        ("bridge_movie_genre", "movie_key", "dim_movie", "movie_key"),
        ("bridge_movie_genre", "genre_key", "dim_genre", "genre_key"),
        ("bridge_movie_language", "movie_key", "dim_movie", "movie_key"),
        ("bridge_movie_language", "language_key", "dim_language", "language_key"),
        ("dim_movie", "original_language", "dim_language", "language_key"),
        ("bridge_movie_country", "movie_key", "dim_movie", "movie_key"),
        ("bridge_movie_country", "country_key", "dim_country", "country_key"),
        ("bridge_movie_company", "movie_key", "dim_movie", "movie_key"),
        ("bridge_movie_company", "company_key", "dim_company", "company_key"),
        ("fact_series", "series_key", "dim_series", "series_key"),
        ("fact_series", "first_air_date_key", "dim_date", "date_key"),
        ("bridge_series_genre", "series_key", "dim_series", "series_key"),
        ("bridge_series_genre", "genre_key", "dim_genre", "genre_key"),
        ("bridge_series_network", "series_key", "dim_series", "series_key"),
        ("bridge_series_network", "network_key", "dim_network", "network_key"),
        ("dim_series", "original_language", "dim_language", "language_key"),
    ]
    for fact, key, dim, dim_key in checks:
        missing = pipeline.sql(
            f"SELECT count(*) FROM {{Refined/{fact}}} f WHERE f.{key} IS NOT NULL AND f.{key} NOT IN "
            f"(SELECT {dim_key} FROM {{Refined/{dim}}})"
        )
        assert missing == [(0,)], (fact, key)
        used = pipeline.sql(f"SELECT count(*) FROM {{Refined/{fact}}} WHERE {key} IS NOT NULL")
        assert used[0][0] > 0, (fact, key)
    for dim, dim_key in [
        ("dim_genre", "genre_key"),
        ("dim_company", "company_key"),
        ("dim_date", "date_key"),
        ("dim_network", "network_key"),
        ("dim_series", "series_key"),
    ]:
        assert pipeline.sql(f"SELECT count(*) - count(DISTINCT {dim_key}) FROM {{Refined/{dim}}}") == [(0,)]


def test_the_most_recent_day_wins_and_imdb_ratings_join(pipeline: Pipeline) -> None:
    fact = pipeline.sql(
        "SELECT budget, revenue, profit, roi, popularity, snapshot_date, imdb_rating, imdb_votes, "
        f"release_date_key FROM {{Refined/fact_movie}} WHERE movie_key = {FIGHT_CLUB}"
    )
    budget, revenue, profit, roi, popularity, snapshot, rating, votes, date_key = fact[0]
    assert (budget, revenue, snapshot) == (63000000, 2800000000, DAY2)  # the day-2 copy
    assert profit == revenue - budget and roi == pytest.approx(revenue / budget)
    assert popularity == 61.416
    assert (rating, votes) == (8.8, 2200000)  # the local CSV's latest day
    assert date_key == 19991015
    # Unknown budget or revenue: no profit, no roi.
    assert pipeline.sql(
        "SELECT count(*) FROM {Refined/fact_movie} WHERE (budget IS NULL OR revenue IS NULL) "
        "AND (profit IS NOT NULL OR roi IS NOT NULL)"
    ) == [(0,)]
    genres = pipeline.sql(
        "SELECT g.name FROM {Refined/bridge_movie_genre} b JOIN {Refined/dim_genre} g USING (genre_key) "
        f"WHERE b.movie_key = {FIGHT_CLUB} ORDER BY g.name"
    )
    assert [g[0] for g in genres] == ["Comedy", "Drama", "Thriller"]


def test_the_history_keeps_every_collection_day_and_the_facts_only_the_latest(pipeline: Pipeline) -> None:
    history = pipeline.sql(
        "SELECT snapshot_date, revenue, budget, popularity FROM {Refined/fact_movie_history} "
        f"WHERE movie_key = {FIGHT_CLUB} ORDER BY snapshot_date"
    )
    assert [(d, r) for d, r, _, _ in history] == [(DAY1, 100853753), (DAY2, 2800000000)]
    assert history[1][3] == 61.416
    # One row per title and day: as many rows as Trusted has, none twice.
    assert pipeline.sql(
        "SELECT count(*), count(DISTINCT (movie_key, snapshot_date)) FROM {Refined/fact_movie_history}"
    ) == pipeline.sql("SELECT count(*), count(*) FROM {Trusted/TMDB/PARQUET/Movies}")
    # fact_movie: the latest day of each title, whatever day it was last collected.
    stale = pipeline.sql(
        "SELECT count(*) FROM {Refined/fact_movie} f WHERE f.snapshot_date < "
        "(SELECT max(h.snapshot_date) FROM {Refined/fact_movie_history} h WHERE h.movie_key = f.movie_key)"
    )
    assert stale == [(0,)]


def test_names_without_ids_get_stable_negative_keys(pipeline: Pipeline) -> None:
    rows = pipeline.sql("SELECT company_key, name FROM {Refined/dim_company} WHERE name = 'Miramax Films'")
    assert len(rows) == 1 and rows[0][0] < 0
    # Named with its id in one record and by name only in others: one key, the id.
    fox = "SELECT company_key FROM {Refined/dim_company} WHERE name = 'Fox 2000 Pictures'"
    assert pipeline.sql(fox) == [(711,)]
    used = pipeline.sql(
        "SELECT count(DISTINCT movie_key) FROM {Refined/bridge_movie_company} WHERE company_key = 711"
    )
    assert used[0][0] > 1


def test_a_rerun_gives_the_same_tables(pipeline: Pipeline) -> None:
    def snapshot() -> dict[str, list[tuple[Any, ...]]]:
        return {t: sorted(pipeline.sql(f"SELECT * FROM {{Refined/{t}}}"), key=repr) for t in TABLES}

    before = snapshot()
    trusted_to_refined(pipeline.lake, catalog="none")
    assert snapshot() == before
    hidden = [
        f for f in pipeline.lake.list_files("Refined", include_hidden=True) if "/." in f and ".tmp-" in f
    ]
    assert hidden == []


def test_no_trusted_data_is_a_usage_error(tmp_path: Any) -> None:
    with pytest.raises(UsageError, match="run `cinelake transform raw-to-trusted` first"):
        trusted_to_refined(Lake(str(tmp_path)))


def test_every_table_is_in_the_lakes_iceberg_catalog_and_none_in_the_crawlers(pipeline: Pipeline) -> None:
    from pyiceberg.catalog.sql import SqlCatalog

    from cinelake.catalog import crawl, open_backend

    # Any Iceberg client opens the lake by its catalog file (catalog name "cinelake").
    catalog = SqlCatalog("cinelake", uri=f"sqlite:///{pipeline.lake.fs_path('_catalog/iceberg.db')}")
    names = {name for _, name in catalog.list_tables("cinelake")}
    assert names == {
        *TABLES,
        "trusted_tmdb_movies",
        "trusted_tmdb_series",
        "trusted_local_movies",
        "trusted_local_series",
    }
    movies = catalog.load_table("cinelake.trusted_tmdb_movies")
    assert {str(v) for v in movies.scan().to_arrow()["dt"].unique().to_pylist()} == {str(DAY1), str(DAY2)}
    # The crawler keeps to plain files (Raw): a crawl of the whole lake leaves the Iceberg tables alone.
    crawl(pipeline.lake)
    assert {t.name for t in open_backend(pipeline.lake).list_tables()} == {
        "raw_tmdb_movies",
        "raw_tmdb_series",
        "raw_local_movies",
        "raw_local_series",
    }
