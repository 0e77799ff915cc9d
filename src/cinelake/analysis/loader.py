"""One loader for every kind the analysis answers (films, series): Refined when it is there, else Raw.

A kind (:mod:`cinelake.analysis.kinds`) says what it reads in a :class:`KindQueries` (its Refined
tables and portable SQL, its Raw folder, columns and select list, its words) and how a result row
becomes its row (``row``); this module reads
the lake for it the same way for every kind: the catalog's DuckDB views (a table the catalog does not
list yet is read from its Parquet files), Amazon Athena over the Glue database, or the Raw TMDB JSON
Lines where the newest ingestion day wins for each id.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

from cinelake.analysis.model import Source
from cinelake.errors import LakeError, UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Format, Kind, Origin, Zone
from cinelake.lake.store import Lake

if TYPE_CHECKING:
    import duckdb

SourceZone = Literal["auto", "refined", "raw"]
ENGINES: tuple[str, ...] = ("duckdb", "athena")


class NoAnalysisData(UsageError):
    """The lake holds neither the Refined tables nor the Raw TMDB records to analyse."""


class _Row(Protocol):
    @property
    def genres(self) -> tuple[str, ...]: ...


RowT = TypeVar("RowT", bound=_Row)
RowT_co = TypeVar("RowT_co", bound=_Row, covariant=True)


class Readable(Protocol[RowT_co]):
    """A kind as the loader reads it: its queries, and its row made of a result's values."""

    @property
    def queries(self) -> KindQueries: ...

    def row(self, values: tuple[Any, ...]) -> RowT_co: ...


@dataclass(frozen=True)
class Loaded(Generic[RowT]):
    """The rows of one kind, the genre names the lake knows, and where the rows came from."""

    rows: list[RowT]
    known_genres: list[str]
    source: Source


@dataclass(frozen=True)
class KindQueries:
    """What one kind reads. The Refined SQL returns ``key, <the row's values but genres>, snapshot``
    (genres come from ``genres_sql`` as ``key, name``); the Raw select list returns the row's values in
    order, genres included, over the newest record per id."""

    kind: Kind
    refined_tables: tuple[str, ...]
    refined_sql: str
    # The same rows from a fact table written before some of its columns existed: each of
    # ``newer_columns`` read as NULL (``refined_sql`` is used whenever the fact has them all).
    older_refined_sql: str
    fact_table: str
    newer_columns: tuple[str, ...]
    genres_sql: str
    known_sql: str
    raw_columns: Mapping[str, str]
    raw_select: str
    # Words: what an error says it could not read, and what the answer's source says.
    refined_what: str  # "the Refined tables"
    genres_what: str  # "the Refined genres"
    raw_what: str  # "the Raw TMDB movies"
    refined_description: str
    raw_description: str
    neither: str  # "the Refined tables nor Raw TMDB movies"
    ingest_hint: str  # "ingest TMDB first"
    # auto: read Raw when the Refined tables exist but hold none of this kind (and Raw has some).
    raw_when_refined_empty: bool = False
    # Athena: name the workgroup(s) the queries ran in in the source's description.
    athena_names_workgroup: bool = False


def load(
    lake: Lake, kind: Readable[RowT], *, zone: SourceZone = "auto", as_of: str | None = None
) -> Loaded[RowT]:
    """Every row of the chosen zone (``auto``: Refined if its tables exist, else Raw); the Refined
    tables as the lake stood at ``as_of`` (a collection day or a snapshot id) when given."""
    queries = kind.queries
    if zone not in ("auto", "refined", "raw"):
        raise UsageError(f"unknown source zone {zone!r}: choose auto, refined or raw")
    missing = missing_refined(lake, queries.refined_tables)
    if zone == "refined" or (zone == "auto" and not missing):
        if missing:
            raise NoAnalysisData(f"the lake {lake.url} has no Refined table {', '.join(missing)}")
        loaded = _load_refined(lake, kind, as_of)
        if (
            not queries.raw_when_refined_empty
            or loaded.rows
            or zone == "refined"
            or not raw_files(lake, queries.kind)
        ):
            return loaded
    raw = raw_files(lake, queries.kind)
    if not raw:
        folder = layout.dataset_dir(Zone.RAW, Origin.TMDB, Format.JSON, queries.kind.value)
        raise NoAnalysisData(
            f"the lake {lake.url} holds neither {queries.neither} ({folder}): {queries.ingest_hint}"
        )
    return _load_raw(lake, kind, raw)


def check_engine(engine: str) -> None:
    """A :class:`UsageError` unless ``engine`` is one the analysis reads through."""
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")


def load_with(
    lake: Lake,
    kind: Readable[RowT],
    *,
    engine: str = "duckdb",
    zone: SourceZone = "auto",
    database: str | None = None,
    as_of: str | None = None,
) -> Loaded[RowT]:
    """The rows through ``engine``: ``duckdb`` reads the lake in process (``zone`` may force a zone;
    ``as_of`` a collection day or snapshot id of the Refined tables), ``athena`` queries the Refined
    tables of the Glue database ``database`` (default: the settings')."""
    check_engine(engine)
    if engine == "athena":
        if zone == "raw":
            raise UsageError("the Raw fallback reads the lake's files: use it with --query-engine duckdb")
        if as_of is not None:
            raise UsageError("--as-of reads the lake's Iceberg snapshots: use it with --query-engine duckdb")
        return load_athena(lake, kind, database=database)
    return load(lake, kind, zone=zone, as_of=as_of)


def missing_refined(lake: Lake, tables: tuple[str, ...]) -> list[str]:
    """Those of the Refined ``tables`` the lake's Iceberg catalog does not hold (never committed)."""
    from cinelake.tables.registry import refined_table
    from cinelake.tables.store import load as load_table

    return [t for t in tables if load_table(lake, refined_table(t)) is None]


def raw_files(lake: Lake, kind: Kind) -> list[str]:
    """The Raw TMDB files of ``kind`` (lake-relative), hidden bookkeeping and temp files left out."""
    base = layout.dataset_dir(Zone.RAW, Origin.TMDB, Format.JSON, kind.value)
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


@contextmanager
def duckdb_for(lake: Lake) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB connection that reads the lake's URLs (fsspec for S3 and memory lakes) and no
    other file of the host."""
    import duckdb

    from cinelake.query.duck import confine_to_lake, register_lake

    con = duckdb.connect()
    try:
        register_lake(con, lake)
        confine_to_lake(con, lake)
        yield con
    finally:
        con.close()


def sql_list(lake: Lake, files: list[str]) -> str:
    return "[" + ", ".join(quote(lake.uri(f)) for f in files) + "]"


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def query(
    con: duckdb.DuckDBPyConnection, sql: str, what: str, parameters: list[Any] | None = None
) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` (values bound from ``parameters``, never written into the text); a DuckDB
    error is a one-line :class:`LakeError` saying what could not be read."""
    import duckdb

    try:
        if parameters is not None:
            return con.execute(sql, parameters).fetchall()
        return con.sql(sql).fetchall()
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LakeError(f"cannot read {what}: {first}") from None


def number(value: Any) -> float | None:
    """A float, with NaN (which some writers use for "unknown") read as None."""
    if value is None:
        return None
    found = float(value)
    return None if math.isnan(found) else found


@contextmanager
def refined_views(
    lake: Lake, as_of: str | None = None, *, for_sql: Sequence[str] = ()
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection with one view per table (:func:`cinelake.query.connect`): the Iceberg tables
    at their current snapshot, or as the lake stood at ``as_of`` (a collection day or a snapshot id);
    only the tables the texts of ``for_sql`` name, when given."""
    from cinelake.query import connect

    con = connect(lake, as_of=as_of, for_sql="\n".join(for_sql) if for_sql else None)
    try:
        yield con
    finally:
        con.close()


def _load_refined(lake: Lake, kind: Readable[RowT], as_of: str | None = None) -> Loaded[RowT]:
    """Through the DuckDB views of :func:`refined_views` (the Iceberg tables' snapshots)."""
    queries = kind.queries
    texts = (
        queries.fact_table,
        queries.refined_sql,
        queries.older_refined_sql,
        queries.genres_sql,
        queries.known_sql,
    )
    with refined_views(lake, as_of, for_sql=texts) as con:
        columns = {c[0] for c in query(con, f"DESCRIBE {queries.fact_table}", queries.fact_table)}
        sql = queries.refined_sql if set(queries.newer_columns) <= columns else queries.older_refined_sql
        found = query(con, sql, f"{queries.refined_what} of {lake.url}")
        genres = query(con, queries.genres_sql, queries.genres_what)
        known = query(con, queries.known_sql, "dim_genre")
    source = Source(
        zone="Refined",
        description=queries.refined_description,
        location=lake.uri(layout.refined_dir()),
        titles=0,
    )
    return _refined_result(kind, found, genres, known, source)


def load_athena(
    lake: Lake, kind: Readable[RowT], *, database: str | None = None, workgroup: str | None = None
) -> Loaded[RowT]:
    """The same rows from the Refined tables of the Glue database, queried in Amazon Athena."""
    queries = kind.queries
    from cinelake.config import get_settings
    from cinelake.query import run_sql

    database = database or get_settings().catalog_database
    used: set[str] = set()

    def rows(sql: str) -> list[tuple[Any, ...]]:
        result = run_sql(lake, sql, engine="athena", database=database, workgroup=workgroup)
        used.add(str(result.details.get("workgroup")))
        return result.rows

    found, genres, known = rows(queries.refined_sql), rows(queries.genres_sql), rows(queries.known_sql)
    description = f"the Refined star schema of the Glue database {database!r} in Amazon Athena"
    if queries.athena_names_workgroup:
        description += f" (workgroup {', '.join(sorted(used))})"
    source = Source(
        zone="Refined", description=description, location=lake.uri(layout.refined_dir()), titles=0
    )
    return _refined_result(kind, found, genres, known, source)


def _refined_result(
    kind: Readable[RowT],
    found: list[tuple[Any, ...]],
    genres: list[tuple[Any, ...]],
    known: list[tuple[Any, ...]],
    source: Source,
) -> Loaded[RowT]:
    by_key: dict[int, set[str]] = {}
    for key, name in genres:
        by_key.setdefault(int(key), set()).add(str(name))
    rows = []
    snapshots = []
    for key, tmdb_id, imdb_id, name, year, *figures, snapshot in found:
        names = tuple(sorted(by_key.get(int(key), ())))
        rows.append(kind.row((tmdb_id, imdb_id, name, year, names, *figures)))
        if snapshot is not None:
            snapshots.append(str(snapshot)[:10])
    newest = max(snapshots) if snapshots else None
    return Loaded(rows, sorted(str(n) for (n,) in known), replace(source, titles=len(rows), snapshot=newest))


def _load_raw(lake: Lake, kind: Readable[RowT], files: list[str]) -> Loaded[RowT]:
    queries = kind.queries
    columns = "{" + ", ".join(f"{quote(k)}: {quote(v)}" for k, v in queries.raw_columns.items()) + "}"
    source_sql = (
        f"read_json({sql_list(lake, files)}, format = 'newline_delimited', filename = true, "
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
        SELECT {queries.raw_select}, day
        FROM latest
        ORDER BY id
    """
    with duckdb_for(lake) as con:
        found = query(con, sql, f"{queries.raw_what} of {lake.url}")
    rows = [kind.row(r[:-1]) for r in found]
    days = [r[-1] for r in found if r[-1]]
    source = Source(
        zone="Raw",
        description=queries.raw_description,
        location=lake.uri(layout.dataset_dir(Zone.RAW, Origin.TMDB, Format.JSON, queries.kind.value)),
        titles=len(rows),
        snapshot=max(days).replace("/", "-") if days else None,
    )
    known = sorted({g for r in rows for g in r.genres})
    return Loaded(rows, known, source)
