"""Read the films the analysis needs from the lake through DuckDB: Refined when it is there, else Raw.

Refined is the star schema the Spark job writes (``fact_movie`` + ``dim_movie`` + ``bridge_movie_genre``
+ ``dim_genre``). Until a lake has it, the same rows come from the Raw TMDB JSON Lines
(``Raw/TMDB/JSON/Movies/YYYY/MM/DD/*.json``, one TMDB ``/movie/{id}`` object per line), where the
most recent ingestion day wins for each id. Either way the caller gets :class:`FilmRow` objects and a
:class:`Source` that says where they came from.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from cinelake.analysis.model import FilmRow, Source
from cinelake.errors import LakeError, UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Format, Kind, Origin, Zone
from cinelake.lake.store import Lake

if TYPE_CHECKING:
    import duckdb

SourceZone = Literal["auto", "refined", "raw"]
REFINED_TABLES: tuple[str, ...] = ("fact_movie", "dim_movie", "bridge_movie_genre", "dim_genre")

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


class NoAnalysisData(UsageError):
    """The lake holds neither the Refined tables nor Raw TMDB movies to analyse."""


@dataclass(frozen=True)
class LoadedFilms:
    rows: list[FilmRow]
    known_genres: list[str]
    source: Source


def load_films(lake: Lake, *, zone: SourceZone = "auto") -> LoadedFilms:
    """Every film of the chosen zone (``auto``: Refined if its tables exist, else Raw)."""
    if zone not in ("auto", "refined", "raw"):
        raise UsageError(f"unknown source zone {zone!r}: choose auto, refined or raw")
    refined = refined_files(lake)
    if zone == "refined" or (zone == "auto" and refined is not None):
        if refined is None:
            missing = [t for t in REFINED_TABLES if not _parquet_files(lake, layout.refined_table(t))]
            raise NoAnalysisData(f"the lake {lake.url} has no Refined table {', '.join(missing)}")
        return _load_refined(lake, refined)
    raw = raw_movie_files(lake)
    if not raw:
        folder = layout.dataset_dir(Zone.RAW, Origin.TMDB, Format.JSON, Kind.MOVIES.value)
        raise NoAnalysisData(
            f"the lake {lake.url} holds neither the Refined tables nor Raw TMDB movies ({folder}): "
            "ingest TMDB first"
        )
    return _load_raw(lake, raw)


def refined_files(lake: Lake) -> dict[str, list[str]] | None:
    """The Parquet files of each Refined table the analysis reads, or None when one is missing."""
    found = {t: _parquet_files(lake, layout.refined_table(t)) for t in REFINED_TABLES}
    return found if all(found.values()) else None


def raw_movie_files(lake: Lake) -> list[str]:
    """The Raw TMDB movie files (lake-relative), hidden bookkeeping and temp files left out."""
    base = layout.dataset_dir(Zone.RAW, Origin.TMDB, Format.JSON, Kind.MOVIES.value)
    files = []
    for rel in lake.list_files(base):
        if not rel.endswith(".json"):
            continue
        try:
            layout.parse_raw_file(rel)
        except UsageError:
            continue  # not a YYYY/MM/DD data file
        files.append(rel)
    return files


def _parquet_files(lake: Lake, prefix: str) -> list[str]:
    return [rel for rel in lake.list_files(prefix) if rel.endswith(".parquet")]


@contextmanager
def duckdb_for(lake: Lake) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB connection that reads the lake's URLs (fsspec for S3 and memory lakes)."""
    import duckdb

    con = duckdb.connect()
    try:
        if not lake.is_local:
            con.register_filesystem(lake.fs)
        yield con
    finally:
        con.close()


def _sql_list(lake: Lake, files: list[str]) -> str:
    return "[" + ", ".join(_quote(lake.uri(f)) for f in files) + "]"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _query(con: duckdb.DuckDBPyConnection, sql: str, what: str) -> list[tuple[Any, ...]]:
    import duckdb

    try:
        return con.sql(sql).fetchall()
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LakeError(f"cannot read {what}: {first}") from None


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


def _load_refined(lake: Lake, files: dict[str, list[str]]) -> LoadedFilms:
    """Through the catalog's DuckDB views (:func:`cinelake.query.connect`); a table the catalog does
    not list yet (a lake crawled before the Spark job ran) is read from its Parquet files."""
    from cinelake.query import connect

    con = connect(lake)
    try:
        present = {
            name for (name,) in _query(con, "SELECT table_name FROM information_schema.tables", "views")
        }
        for table, table_files in files.items():
            if table not in present:
                con.execute(
                    f"CREATE VIEW {table} AS SELECT * FROM "
                    f"read_parquet({_sql_list(lake, table_files)}, union_by_name = true)"
                )
        films = _query(con, REFINED_FILMS_SQL, f"the Refined tables of {lake.url}")
        genres = _query(con, REFINED_GENRES_SQL, "the Refined genres")
        known = _query(con, KNOWN_GENRES_SQL, "dim_genre")
    finally:
        con.close()
    source = Source(
        zone="Refined",
        description="the Refined star schema (fact_movie, dim_movie, bridge_movie_genre, dim_genre)",
        location=lake.uri(layout.refined_dir()),
        films=len(films),
        snapshot=None,
    )
    return _refined_result(films, genres, known, source)


def load_films_athena(
    lake: Lake, *, database: str | None = None, workgroup: str | None = None
) -> LoadedFilms:
    """The same rows from the Refined tables of the Glue database, queried in Amazon Athena."""
    from cinelake.config import get_settings
    from cinelake.query import run_sql

    database = database or get_settings().catalog_database
    used: set[str] = set()

    def rows(sql: str) -> list[tuple[Any, ...]]:
        result = run_sql(lake, sql, engine="athena", database=database, workgroup=workgroup)
        used.add(str(result.details.get("workgroup")))
        return result.rows

    films, genres, known = rows(REFINED_FILMS_SQL), rows(REFINED_GENRES_SQL), rows(KNOWN_GENRES_SQL)
    source = Source(
        zone="Refined",
        description=f"the Refined star schema of the Glue database {database!r} in Amazon Athena "
        f"(workgroup {', '.join(sorted(used))})",
        location=lake.uri(layout.refined_dir()),
        films=len(films),
    )
    return _refined_result(films, genres, known, source)


def _refined_result(
    films: list[tuple[Any, ...]], genres: list[tuple[Any, ...]], known: list[tuple[Any, ...]], source: Source
) -> LoadedFilms:
    by_movie: dict[int, set[str]] = {}
    for movie_key, name in genres:
        by_movie.setdefault(int(movie_key), set()).add(str(name))
    rows = []
    snapshots = []
    for movie_key, *values, snapshot in films:
        names = tuple(sorted(by_movie.get(int(movie_key), ())))
        rows.append(_row((values[0], values[1], values[2], values[3], names, *values[4:])))
        if snapshot is not None:
            snapshots.append(str(snapshot)[:10])
    newest = max(snapshots) if snapshots else None
    return LoadedFilms(
        rows, sorted(str(n) for (n,) in known), replace(source, films=len(rows), snapshot=newest)
    )


def _load_raw(lake: Lake, files: list[str]) -> LoadedFilms:
    columns = "{" + ", ".join(f"{_quote(k)}: {_quote(v)}" for k, v in _RAW_COLUMNS.items()) + "}"
    source_sql = (
        f"read_json({_sql_list(lake, files)}, format = 'newline_delimited', filename = true, "
        f"columns = {columns})"
    )
    # The folder date is the ingestion day; for an id seen on several days the newest record wins.
    sql = rf"""
        WITH raw AS (
            SELECT *, regexp_extract(filename, '(\d{{4}}/\d{{2}}/\d{{2}})/[^/]+$', 1) AS day
            FROM {source_sql}
            WHERE id IS NOT NULL
        ),
        latest AS (
            SELECT * FROM raw
            QUALIFY row_number() OVER (PARTITION BY id ORDER BY day DESC, filename DESC) = 1
        )
        SELECT id, nullif(imdb_id, ''), coalesce(nullif(title, ''), original_title),
               CASE WHEN regexp_matches(release_date, '^\d{{4}}-') THEN CAST(left(release_date, 4) AS INTEGER)
               END,
               coalesce(list_sort(list_distinct(list_transform(genres, lambda g: g.name))), []),
               budget, revenue, popularity, vote_average, vote_count, day
        FROM latest
        ORDER BY id
    """
    with duckdb_for(lake) as con:
        rows = _query(con, sql, f"the Raw TMDB movies of {lake.url}")
    films = [_row(r[:10]) for r in rows]
    days = [r[10] for r in rows if r[10]]
    source = Source(
        zone="Raw",
        description=(
            "the Raw TMDB movie JSON Lines (the Refined tables are not there yet); "
            "for an id ingested on several days the newest record is used"
        ),
        location=lake.uri(layout.dataset_dir(Zone.RAW, Origin.TMDB, Format.JSON, Kind.MOVIES.value)),
        films=len(films),
        snapshot=max(days).replace("/", "-") if days else None,
    )
    known = sorted({g for f in films for g in f.genres})
    return LoadedFilms(films, known, source)


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
        popularity=_number(popularity),
        vote_average=_number(vote_average),
        vote_count=None if vote_count is None else int(vote_count),
    )


def _number(value: Any) -> float | None:
    """A float, with NaN (which some writers use for "unknown") read as None."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number
