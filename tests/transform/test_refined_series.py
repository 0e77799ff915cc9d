"""Trusted -> Refined for series on DuckDB, over the packaged TV snapshot (100 real /tv responses):
dim_series, fact_series (each series' latest day), the network dimension and the bridges, and the
dimensions films and series share."""

from __future__ import annotations

import copy
import gzip
import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from cinelake.lake import layout
from cinelake.lake.store import Lake
from tests.spark.lakes import jsonl, snapshot_movies

pytestmark = [pytest.mark.integration]

DAY1 = date(2026, 11, 25)
DAY2 = date(2026, 11, 26)
SIMPSONS = 456


def packaged_series() -> list[dict[str, Any]]:
    snapshot = resources.files("cinelake.tmdb.snapshot").joinpath("tv.jsonl.gz")
    with gzip.open(str(snapshot), "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@dataclass
class SeriesLake:
    lake: Lake
    series: list[dict[str, Any]]

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        import duckdb

        for table in (
            "fact_series",
            "dim_series",
            "dim_genre",
            "dim_network",
            "dim_language",
            "dim_country",
            "dim_date",
            "fact_movie",
            "bridge_series_genre",
            "bridge_series_network",
            "bridge_series_language",
            "bridge_series_country",
            "bridge_movie_genre",
        ):
            query = query.replace(
                f"{{{table}}}", f"read_parquet('{self.lake.uri(layout.refined_table(table))}/*.parquet')"
            )
        with duckdb.connect() as con:
            return con.execute(query).fetchall()


def _write_series(lake: Lake, day: date, records: list[dict[str, Any]]) -> None:
    for start in range(0, len(records), 100):
        rel = layout.raw_tmdb_file("Series", day, "snapshot", start // 100 + 1)
        lake.write_bytes(rel, jsonl(records[start : start + 100]))


@pytest.fixture(scope="module")
def series_lake(tmp_path_factory: pytest.TempPathFactory) -> SeriesLake:
    """The TV snapshot on DAY1, The Simpsons again on DAY2 with more votes, 20 snapshot films."""
    from cinelake.catalog import crawl
    from cinelake.engines import raw_to_trusted, trusted_to_refined

    lake = Lake(str(tmp_path_factory.mktemp("series-lake")))
    series = packaged_series()
    _write_series(lake, DAY1, series)
    later = copy.deepcopy(next(s for s in series if s["id"] == SIMPSONS))
    later["vote_count"], later["vote_average"] = 2100, 7.2
    _write_series(lake, DAY2, [later])
    lake.write_bytes(layout.raw_tmdb_file("Movies", DAY1, "films", 1), jsonl(snapshot_movies(20)))
    crawl(lake, zone="Raw")
    raw_to_trusted(lake, engine="duckdb")
    trusted_to_refined(lake, engine="duckdb")
    return SeriesLake(lake, series)


def test_one_fact_and_dimension_row_per_series_the_latest_day_winning(series_lake: SeriesLake) -> None:
    assert series_lake.sql("SELECT count(*), count(DISTINCT series_key) FROM {fact_series}") == [(100, 100)]
    assert series_lake.sql("SELECT count(*) FROM {dim_series}") == [(100,)]
    fact = series_lake.sql(
        "SELECT vote_count, vote_average, popularity, seasons, episodes, snapshot_date, first_air_date_key "
        f"FROM {{fact_series}} WHERE series_key = {SIMPSONS}"
    )
    assert fact == [(2100, 7.2, 144.176, 30, 662, DAY2, 19891217)]
    others = series_lake.sql(
        f"SELECT DISTINCT snapshot_date FROM {{fact_series}} WHERE series_key <> {SIMPSONS}"
    )
    assert others == [(DAY1,)]


def test_dim_series_holds_what_the_response_gives(series_lake: SeriesLake) -> None:
    row = series_lake.sql(
        "SELECT name, original_name, first_air_year, last_air_year, status, type, in_production, seasons, "
        f"episodes, networks, languages, countries, imdb_id FROM {{dim_series}} WHERE series_key = {SIMPSONS}"
    )
    assert row == [
        (
            "The Simpsons",
            "The Simpsons",
            1989,
            2019,
            "Returning Series",
            "Scripted",
            True,
            30,
            662,
            ["FOX"],
            ["en"],
            ["US"],
            None,
        )  # the sample has no external_ids: no IMDB id is made up
    ]


def test_tv_genres_share_the_genre_dimension(series_lake: SeriesLake) -> None:
    genres = dict(series_lake.sql("SELECT genre_key, name FROM {dim_genre}"))
    assert genres[10759] == "Action & Adventure" and genres[10765] == "Sci-Fi & Fantasy"
    assert genres[35] == "Comedy" and genres[16] == "Animation"  # one row for films and series
    assert series_lake.sql("SELECT count(*) FROM {dim_genre} WHERE genre_key = 35") == [(1,)]
    expected: dict[int, int] = {}
    for show in series_lake.series:
        for genre in {g["id"] for g in show["genres"]}:
            expected[genre] = expected.get(genre, 0) + 1
    counted = dict(series_lake.sql("SELECT genre_key, count(*) FROM {bridge_series_genre} GROUP BY 1"))
    assert counted == expected and counted[35] == 32 and counted[16] == 32
    films = series_lake.sql("SELECT count(DISTINCT movie_key) FROM {bridge_movie_genre}")
    assert films == [(20,)]


def test_networks_languages_and_countries(series_lake: SeriesLake) -> None:
    assert series_lake.sql("SELECT name FROM {dim_network} WHERE network_key = 19") == [("FOX",)]
    assert series_lake.sql(
        f"SELECT network_key FROM {{bridge_series_network}} WHERE series_key = {SIMPSONS}"
    ) == [(19,)]
    networks = {(s["id"], n["id"]) for s in series_lake.series for n in s["networks"]}
    assert len(series_lake.sql("SELECT * FROM {bridge_series_network}")) == len(networks)
    languages = {(s["id"], c) for s in series_lake.series for c in s["languages"]}
    assert set(series_lake.sql("SELECT * FROM {bridge_series_language}")) == languages
    countries = {(s["id"], c) for s in series_lake.series for c in s["origin_country"]}
    assert set(series_lake.sql("SELECT * FROM {bridge_series_country}")) == countries
    for bridge, key, dim in (
        ("bridge_series_language", "language_key", "dim_language"),
        ("bridge_series_country", "country_key", "dim_country"),
    ):
        missing = series_lake.sql(
            f"SELECT count(*) FROM {{{bridge}}} WHERE {key} NOT IN (SELECT {key} FROM {{{dim}}})"
        )
        assert missing == [(0,)], bridge


def test_the_date_dimension_covers_the_air_dates(series_lake: SeriesLake) -> None:
    first = min(s["first_air_date"] for s in series_lake.series if s["first_air_date"])
    found = series_lake.sql("SELECT min(date) FROM {dim_date}")[0][0]
    assert found.isoformat() <= first


def test_the_catalog_lists_the_series_tables(series_lake: SeriesLake) -> None:
    from cinelake.tables.reading import existing_tables

    names = {table.name for table, _ in existing_tables(series_lake.lake)}
    assert {
        "fact_series",
        "dim_series",
        "dim_network",
        "bridge_series_genre",
        "bridge_series_network",
        "bridge_series_language",
        "bridge_series_country",
        "trusted_tmdb_series",
    } <= names


def test_a_lake_of_series_only_gets_every_table(tmp_path: Path) -> None:
    from cinelake.engines import raw_to_trusted, trusted_to_refined

    lake = Lake(str(tmp_path))
    _write_series(lake, DAY1, packaged_series()[:10])
    raw_to_trusted(lake, engine="duckdb", catalog="none")
    result = trusted_to_refined(lake, engine="duckdb", catalog="none")
    assert result.tables["Refined/fact_series"] == 10
    assert result.tables["Refined/fact_movie"] == 0 and result.tables["Refined/dim_company"] == 0
    assert result.tables["Refined/dim_genre"] > 0


def test_trusted_series_written_before_languages_was_kept_still_build(tmp_path: Path) -> None:
    """A Trusted partition from before TV's ``languages`` column: the series read it as null."""
    import pyarrow.parquet as pq

    from cinelake.engines import raw_to_trusted, trusted_to_refined

    lake = Lake(str(tmp_path))
    _write_series(lake, DAY1, packaged_series()[:3])
    raw_to_trusted(lake, engine="duckdb", catalog="none")
    for rel in lake.list_files("Trusted/TMDB/PARQUET/Series"):
        if rel.endswith(".parquet"):
            table = pq.read_table(lake.uri(rel))
            pq.write_table(table.drop_columns(["languages"]), lake.uri(rel))
    result = trusted_to_refined(lake, engine="duckdb", catalog="none")
    assert result.tables["Refined/fact_series"] == 3
    assert result.tables["Refined/bridge_series_language"] == 0
    import duckdb

    with duckdb.connect() as con:
        found = con.execute(f"SELECT languages FROM '{lake.uri('Refined/dim_series')}/*.parquet'").fetchall()
    assert found == [(None,)] * 3
