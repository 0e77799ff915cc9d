"""Read the series the series answer needs from the lake: Refined when it is there, else Raw.

Refined is ``fact_series`` + ``dim_series`` + ``bridge_series_genre`` + ``dim_genre``; until a lake
has them, the same rows come from the Raw TMDB series JSON Lines (``Raw/TMDB/JSON/Series/...``, one
``/tv/{id}`` object a line), where the most recent ingestion day wins for each id. The reading itself
is :mod:`cinelake.analysis.loader`'s; this module says what a series is there.
"""

from __future__ import annotations

from typing import Any

from cinelake.analysis.loader import KindQueries, Loaded, SourceZone, load, load_athena, number, raw_files
from cinelake.analysis.series_model import SeriesRow
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake

SERIES_REFINED_TABLES: tuple[str, ...] = ("fact_series", "dim_series", "bridge_series_genre", "dim_genre")
LoadedSeries = Loaded[SeriesRow]

# Portable SQL (DuckDB and Athena/Trino) over the catalog's Refined tables; the newest snapshot wins.
REFINED_SERIES_SQL = """
SELECT f.series_key, d.tmdb_id, d.imdb_id, coalesce(nullif(d.name, ''), d.original_name), d.first_air_year,
       f.popularity, f.vote_average, f.vote_count, f.seasons, f.episodes, f.snapshot_date
FROM (
    SELECT series_key, popularity, vote_average, vote_count, seasons, episodes, snapshot_date,
           row_number() OVER (PARTITION BY series_key ORDER BY snapshot_date DESC NULLS LAST) AS newest
    FROM fact_series
) f
JOIN dim_series d ON d.series_key = f.series_key
WHERE f.newest = 1
ORDER BY d.tmdb_id
"""
REFINED_SERIES_GENRES_SQL = """
SELECT DISTINCT b.series_key, g.name
FROM bridge_series_genre b JOIN dim_genre g ON g.genre_key = b.genre_key
WHERE g.name IS NOT NULL
"""
KNOWN_SERIES_GENRES_SQL = REFINED_SERIES_GENRES_SQL.replace("b.series_key, g.name", "g.name")

_RAW_COLUMNS = {
    "id": "BIGINT",
    "name": "VARCHAR",
    "original_name": "VARCHAR",
    "first_air_date": "VARCHAR",
    "genres": "STRUCT(id BIGINT, name VARCHAR)[]",
    "popularity": "DOUBLE",
    "vote_average": "DOUBLE",
    "vote_count": "BIGINT",
    "number_of_seasons": "INTEGER",
    "number_of_episodes": "INTEGER",
    "external_ids": "STRUCT(imdb_id VARCHAR)",
}
_RAW_SELECT = r"""id, nullif(external_ids.imdb_id, ''), coalesce(nullif(name, ''), original_name),
               CASE WHEN regexp_matches(first_air_date, '^\d{4}-')
                    THEN CAST(left(first_air_date, 4) AS INTEGER) END,
               coalesce(list_sort(list_distinct(list_transform(genres, lambda g: g.name))), []),
               popularity, vote_average, vote_count,
               CASE WHEN number_of_seasons > 0 THEN number_of_seasons END,
               CASE WHEN number_of_episodes > 0 THEN number_of_episodes END"""


def _row(values: tuple[Any, ...]) -> SeriesRow:
    tmdb_id, imdb_id, name, year, genres, popularity, vote_average, vote_count, seasons, episodes = values
    return SeriesRow(
        tmdb_id=int(tmdb_id),
        imdb_id=imdb_id,
        name=name,
        first_air_year=None if year is None else int(year),
        genres=tuple(g for g in (genres or []) if g is not None),
        popularity=number(popularity),
        vote_average=number(vote_average),
        vote_count=None if vote_count is None else int(vote_count),
        seasons=None if seasons is None else int(seasons),
        episodes=None if episodes is None else int(episodes),
    )


SERIES: KindQueries[SeriesRow] = KindQueries(
    kind=Kind.SERIES,
    refined_tables=SERIES_REFINED_TABLES,
    refined_sql=REFINED_SERIES_SQL,
    genres_sql=REFINED_SERIES_GENRES_SQL,
    known_sql=KNOWN_SERIES_GENRES_SQL,
    raw_columns=_RAW_COLUMNS,
    raw_select=_RAW_SELECT,
    row=_row,
    refined_what="the Refined series tables",
    genres_what="the Refined series genres",
    raw_what="the Raw TMDB series",
    refined_description="the Refined star schema (fact_series, dim_series, bridge_series_genre, dim_genre)",
    raw_description=(
        "the Raw TMDB series JSON Lines (the Refined series tables are not there yet); "
        "for an id ingested on several days the newest record is used"
    ),
    neither="Refined series nor Raw TMDB series",
    ingest_hint="ingest them first (cinelake ingest tmdb --discover --kind series)",
    # A lake whose Refined tables predate series has them empty: its Raw series are the answer.
    raw_when_refined_empty=True,
)


def raw_series_files(lake: Lake) -> list[str]:
    """The Raw TMDB series files (lake-relative), hidden bookkeeping and temp files left out."""
    return raw_files(lake, Kind.SERIES)


def load_series(lake: Lake, *, zone: SourceZone = "auto") -> LoadedSeries:
    """Every series of the chosen zone (``auto``: Refined if its tables hold series, else Raw)."""
    return load(lake, SERIES, zone=zone)


def load_series_athena(
    lake: Lake, *, database: str | None = None, workgroup: str | None = None
) -> LoadedSeries:
    """The same rows from the Refined tables of the Glue database, queried in Amazon Athena."""
    return load_athena(lake, SERIES, database=database, workgroup=workgroup)
