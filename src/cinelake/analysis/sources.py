"""Read the films the analysis needs from the lake: Refined when it is there, else Raw.

Refined is the star schema the Refined job writes (``fact_movie`` + ``dim_movie`` +
``bridge_movie_genre`` + ``dim_genre``). Until a lake has it, the same rows come from the Raw TMDB JSON
Lines (``Raw/TMDB/JSON/Movies/YYYY/MM/DD/*.json``, one TMDB ``/movie/{id}`` object per line), where the
most recent ingestion day wins for each id. Either way the caller gets :class:`FilmRow` objects and a
:class:`Source` that says where they came from. The reading itself is :mod:`cinelake.analysis.loader`'s;
this module says what a film is there.
"""

from __future__ import annotations

from typing import Any

from cinelake.analysis.loader import (
    KindQueries,
    Loaded,
    NoAnalysisData,
    SourceZone,
    duckdb_for,
    load,
    load_athena,
    number,
    raw_files,
)
from cinelake.analysis.model import FilmRow
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake

__all__ = [
    "FILMS",
    "REFINED_TABLES",
    "LoadedFilms",
    "NoAnalysisData",
    "SourceZone",
    "duckdb_for",
    "load_films",
    "load_films_athena",
    "raw_movie_files",
]

REFINED_TABLES: tuple[str, ...] = ("fact_movie", "dim_movie", "bridge_movie_genre", "dim_genre")
LoadedFilms = Loaded[FilmRow]

# Portable SQL (DuckDB and Athena/Trino) over the catalog's Refined tables. fact_movie may hold one row
# per movie and snapshot: the newest snapshot is the answer. A film without a title in TMDB shows its
# original title.
REFINED_FILMS_SQL = """
SELECT f.movie_key, d.tmdb_id, d.imdb_id, coalesce(nullif(d.title, ''), d.original_title), d.release_year,
       f.budget, f.revenue, f.popularity, f.vote_average, f.vote_count, f.snapshot_date
FROM (
    SELECT movie_key, budget, revenue, popularity, vote_average, vote_count, snapshot_date,
           row_number() OVER (PARTITION BY movie_key ORDER BY snapshot_date DESC NULLS LAST) AS newest
    FROM fact_movie
) f
JOIN dim_movie d ON d.movie_key = f.movie_key
WHERE f.newest = 1
ORDER BY d.tmdb_id
"""
REFINED_GENRES_SQL = """
SELECT DISTINCT b.movie_key, g.name
FROM bridge_movie_genre b JOIN dim_genre g ON g.genre_key = b.genre_key
WHERE g.name IS NOT NULL
"""
KNOWN_GENRES_SQL = "SELECT DISTINCT name FROM dim_genre WHERE name IS NOT NULL"

_RAW_COLUMNS = {
    "id": "BIGINT",
    "imdb_id": "VARCHAR",
    "title": "VARCHAR",
    "original_title": "VARCHAR",
    "release_date": "VARCHAR",
    "genres": "STRUCT(id BIGINT, name VARCHAR)[]",
    "budget": "BIGINT",
    "revenue": "BIGINT",
    "popularity": "DOUBLE",
    "vote_average": "DOUBLE",
    "vote_count": "BIGINT",
}
_RAW_SELECT = r"""id, nullif(imdb_id, ''), coalesce(nullif(title, ''), original_title),
               CASE WHEN regexp_matches(release_date, '^\d{4}-') THEN CAST(left(release_date, 4) AS INTEGER)
               END,
               coalesce(list_sort(list_distinct(list_transform(genres, lambda g: g.name))), []),
               budget, revenue, popularity, vote_average, vote_count"""


def _row(values: tuple[Any, ...]) -> FilmRow:
    tmdb_id, imdb_id, title, year, genres, budget, revenue, popularity, vote_average, vote_count = values
    return FilmRow(
        tmdb_id=int(tmdb_id),
        imdb_id=imdb_id,
        title=title,
        release_year=None if year is None else int(year),
        genres=tuple(g for g in (genres or []) if g is not None),
        budget=None if budget is None else int(budget),
        revenue=None if revenue is None else int(revenue),
        popularity=number(popularity),
        vote_average=number(vote_average),
        vote_count=None if vote_count is None else int(vote_count),
    )


FILMS: KindQueries[FilmRow] = KindQueries(
    kind=Kind.MOVIES,
    refined_tables=REFINED_TABLES,
    refined_sql=REFINED_FILMS_SQL,
    genres_sql=REFINED_GENRES_SQL,
    known_sql=KNOWN_GENRES_SQL,
    raw_columns=_RAW_COLUMNS,
    raw_select=_RAW_SELECT,
    row=_row,
    refined_what="the Refined tables",
    genres_what="the Refined genres",
    raw_what="the Raw TMDB movies",
    refined_description="the Refined star schema (fact_movie, dim_movie, bridge_movie_genre, dim_genre)",
    raw_description=(
        "the Raw TMDB movie JSON Lines (the Refined tables are not there yet); "
        "for an id ingested on several days the newest record is used"
    ),
    neither="the Refined tables nor Raw TMDB movies",
    ingest_hint="ingest TMDB first",
    athena_names_workgroup=True,
)


def load_films(lake: Lake, *, zone: SourceZone = "auto") -> LoadedFilms:
    """Every film of the chosen zone (``auto``: Refined if its tables exist, else Raw)."""
    return load(lake, FILMS, zone=zone)


def load_films_athena(
    lake: Lake, *, database: str | None = None, workgroup: str | None = None
) -> LoadedFilms:
    """The same rows from the Refined tables of the Glue database, queried in Amazon Athena."""
    return load_athena(lake, FILMS, database=database, workgroup=workgroup)


def raw_movie_files(lake: Lake) -> list[str]:
    """The Raw TMDB movie files (lake-relative), hidden bookkeeping and temp files left out."""
    return raw_files(lake, Kind.MOVIES)
