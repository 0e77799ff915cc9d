"""Read the series the series answer needs from the lake: Refined when it is there, else Raw.

Refined is ``fact_series`` + ``dim_series`` + ``bridge_series_genre`` + ``dim_genre``; until a lake
has them, the same rows come from the Raw TMDB series JSON Lines (``Raw/TMDB/JSON/Series/...``, one
``/tv/{id}`` object a line), where the most recent ingestion day wins for each id.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from cinelake.analysis.model import Source
from cinelake.analysis.series_model import SeriesRow
from cinelake.analysis.sources import (
    NoAnalysisData,
    SourceZone,
    _number,
    _parquet_files,
    _query,
    _quote,
    _sql_list,
    duckdb_for,
)
from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Format, Kind, Origin, Zone
from cinelake.lake.store import Lake

SERIES_REFINED_TABLES: tuple[str, ...] = ("fact_series", "dim_series", "bridge_series_genre", "dim_genre")

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


@dataclass(frozen=True)
class LoadedSeries:
    rows: list[SeriesRow]
    known_genres: list[str]
    source: Source


def series_refined_files(lake: Lake) -> dict[str, list[str]] | None:
    """The Parquet files of each Refined table the series answer reads, or None when one is missing."""
    found = {t: _parquet_files(lake, layout.refined_table(t)) for t in SERIES_REFINED_TABLES}
    return found if all(found.values()) else None


def raw_series_files(lake: Lake) -> list[str]:
    """The Raw TMDB series files (lake-relative), hidden bookkeeping and temp files left out."""
    base = layout.dataset_dir(Zone.RAW, Origin.TMDB, Format.JSON, Kind.SERIES.value)
    files = []
    for rel in lake.list_files(base):
        if not rel.endswith(".json"):
            continue
        try:
            layout.parse_raw_file(rel)
        except UsageError:
            continue
        files.append(rel)
    return files


def load_series(lake: Lake, *, zone: SourceZone = "auto") -> LoadedSeries:
    """Every series of the chosen zone (``auto``: Refined if its tables hold series, else Raw)."""
    if zone not in ("auto", "refined", "raw"):
        raise UsageError(f"unknown source zone {zone!r}: choose auto, refined or raw")
    refined = series_refined_files(lake)
    if zone == "refined" or (zone == "auto" and refined is not None):
        if refined is None:
            missing = [t for t in SERIES_REFINED_TABLES if not _parquet_files(lake, layout.refined_table(t))]
            raise NoAnalysisData(f"the lake {lake.url} has no Refined table {', '.join(missing)}")
        loaded = _load_refined(lake, refined)
        if loaded.rows or zone == "refined" or not raw_series_files(lake):
            return loaded
    raw = raw_series_files(lake)
    if not raw:
        folder = layout.dataset_dir(Zone.RAW, Origin.TMDB, Format.JSON, Kind.SERIES.value)
        raise NoAnalysisData(
            f"the lake {lake.url} holds neither Refined series nor Raw TMDB series ({folder}): "
            "ingest them first (cinelake ingest tmdb --discover --kind series)"
        )
    return _load_raw(lake, raw)


def _load_refined(lake: Lake, files: dict[str, list[str]]) -> LoadedSeries:
    """Through the catalog's DuckDB views; a table the catalog does not list yet is read from its files."""
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
        series = _query(con, REFINED_SERIES_SQL, f"the Refined series tables of {lake.url}")
        genres = _query(con, REFINED_SERIES_GENRES_SQL, "the Refined series genres")
        known = _query(con, KNOWN_SERIES_GENRES_SQL, "dim_genre")
    finally:
        con.close()
    source = Source(
        zone="Refined",
        description="the Refined star schema (fact_series, dim_series, bridge_series_genre, dim_genre)",
        location=lake.uri(layout.refined_dir()),
        films=0,
    )
    return _refined_result(series, genres, known, source)


def load_series_athena(
    lake: Lake, *, database: str | None = None, workgroup: str | None = None
) -> LoadedSeries:
    """The same rows from the Refined tables of the Glue database, queried in Amazon Athena."""
    from cinelake.config import get_settings
    from cinelake.query import run_sql

    database = database or get_settings().catalog_database

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return run_sql(lake, sql, engine="athena", database=database, workgroup=workgroup).rows

    series = rows(REFINED_SERIES_SQL)
    genres, known = rows(REFINED_SERIES_GENRES_SQL), rows(KNOWN_SERIES_GENRES_SQL)
    source = Source(
        zone="Refined",
        description=f"the Refined star schema of the Glue database {database!r} in Amazon Athena",
        location=lake.uri(layout.refined_dir()),
        films=0,
    )
    return _refined_result(series, genres, known, source)


def _refined_result(
    series: list[tuple[Any, ...]], genres: list[tuple[Any, ...]], known: list[tuple[Any, ...]], source: Source
) -> LoadedSeries:
    by_series: dict[int, set[str]] = {}
    for series_key, name in genres:
        by_series.setdefault(int(series_key), set()).add(str(name))
    rows = []
    snapshots = []
    for series_key, tmdb_id, imdb_id, name, year, *figures, snapshot in series:
        names = tuple(sorted(by_series.get(int(series_key), ())))
        rows.append(_row((tmdb_id, imdb_id, name, year, names, *figures)))
        if snapshot is not None:
            snapshots.append(str(snapshot)[:10])
    newest = max(snapshots) if snapshots else None
    return LoadedSeries(
        rows, sorted(str(n) for (n,) in known), replace(source, films=len(rows), snapshot=newest)
    )


def _load_raw(lake: Lake, files: list[str]) -> LoadedSeries:
    columns = "{" + ", ".join(f"{_quote(k)}: {_quote(v)}" for k, v in _RAW_COLUMNS.items()) + "}"
    source_sql = (
        f"read_json({_sql_list(lake, files)}, format = 'newline_delimited', filename = true, "
        f"columns = {columns})"
    )
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
        SELECT id, nullif(external_ids.imdb_id, ''), coalesce(nullif(name, ''), original_name),
               CASE WHEN regexp_matches(first_air_date, '^\d{{4}}-')
                    THEN CAST(left(first_air_date, 4) AS INTEGER) END,
               coalesce(list_sort(list_distinct(list_transform(genres, lambda g: g.name))), []),
               popularity, vote_average, vote_count,
               CASE WHEN number_of_seasons > 0 THEN number_of_seasons END,
               CASE WHEN number_of_episodes > 0 THEN number_of_episodes END,
               day
        FROM latest
        ORDER BY id
    """
    with duckdb_for(lake) as con:
        rows = _query(con, sql, f"the Raw TMDB series of {lake.url}")
    series = [_row(r[:10]) for r in rows]
    days = [r[10] for r in rows if r[10]]
    source = Source(
        zone="Raw",
        description=(
            "the Raw TMDB series JSON Lines (the Refined series tables are not there yet); "
            "for an id ingested on several days the newest record is used"
        ),
        location=lake.uri(layout.dataset_dir(Zone.RAW, Origin.TMDB, Format.JSON, Kind.SERIES.value)),
        films=len(series),
        snapshot=max(days).replace("/", "-") if days else None,
    )
    known = sorted({g for s in series for g in s.genres})
    return LoadedSeries(series, known, source)


def _row(values: tuple[Any, ...]) -> SeriesRow:
    tmdb_id, imdb_id, name, year, genres, popularity, vote_average, vote_count, seasons, episodes = values
    return SeriesRow(
        tmdb_id=int(tmdb_id),
        imdb_id=imdb_id,
        name=name,
        first_air_year=None if year is None else int(year),
        genres=tuple(g for g in (genres or []) if g is not None),
        popularity=_number(popularity),
        vote_average=_number(vote_average),
        vote_count=None if vote_count is None else int(vote_count),
        seasons=None if seasons is None else int(seasons),
        episodes=None if episodes is None else int(episodes),
    )
