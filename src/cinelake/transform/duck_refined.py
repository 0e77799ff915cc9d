"""The Trusted -> Refined job on DuckDB: every table of the star schema rebuilt from the Trusted
tables' current snapshots and committed through :mod:`cinelake.tables`, one snapshot per table (the
history table replaces the collection days it wrote, the others all their rows)."""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable
from datetime import date

from cinelake.catalog.types import quote_ident
from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Origin
from cinelake.lake.store import Lake
from cinelake.tables import store as tables
from cinelake.tables.datasets import DATASETS
from cinelake.tables.raw_schemas import LOCAL_MOVIES_DDL, LOCAL_SERIES_DDL, TMDB_MOVIE_DDL, TMDB_SERIES_DDL
from cinelake.tables.registry import TableDef, refined_table, trusted_table
from cinelake.tables.results import RefinedResult
from cinelake.transform import namekey, refined_sql, trusted_sql
from cinelake.transform.duck import connect, duck_errors, sql_list, sql_string

Progress = Callable[[str], None]


def _trusted(lake: Lake, origin: Origin, spec: str) -> str | None:
    """A Trusted table's current snapshot as a DuckDB relation, or None when it holds no rows: the
    Parquet files pyiceberg plans for it, less the rows its position-delete files name (Athena's
    UPDATE, DELETE and MERGE write them).

    The deletes are applied here, by file and row number, rather than by DuckDB's ``iceberg_scan``:
    its extension (62 MB with avro's) does not fit in the transform's Lambda bundle beside pyarrow."""
    dataset = next(d for d in DATASETS if d.origin == origin and d.spec == spec)
    table = tables.load(lake, trusted_table(dataset))
    if table is None or not tables.total_rows(table):
        return None
    data, deletes = tables.planned_files(table)
    if not deletes:
        return f"read_parquet({sql_list(data)}, union_by_name = true)"
    # DuckDB names a local file without the ``file://`` Iceberg records: both sides compared without.
    return (
        "(SELECT * EXCLUDE (filename, file_row_number) FROM "
        f"read_parquet({sql_list(data)}, union_by_name = true, filename = true, file_row_number = true) "
        f"AS kept WHERE NOT EXISTS (SELECT 1 FROM read_parquet({sql_list(deletes)}) AS deleted "
        "WHERE deleted.pos = kept.file_row_number AND regexp_replace(deleted.file_path, '^file://', '') "
        "= regexp_replace(kept.filename, '^file://', '')))"
    )


def _empty_trusted(con: object, name: str, ddl: str, query: Callable[[str], str]) -> None:
    """``name`` as a view of no rows with the Trusted columns ``query`` makes of Raw of ``ddl``: a lake
    with films and no series (or the reverse) still gets every table, the empty ones empty."""
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)
    columns = trusted_sql.ddl_columns(ddl)
    nulls = ", ".join(f"NULL::{kind} AS {quote_ident(col)}" for col, kind in columns.items())
    con.execute(
        f"CREATE TEMP VIEW {name}_raw AS "
        f"SELECT {nulls}, NULL::VARCHAR AS source_file, NULL::DATE AS dt WHERE false"
    )
    con.execute(f"CREATE TEMP VIEW {name} AS {query(f'{name}_raw')}")


def _with_languages(con: object) -> None:
    """Trusted series written before TV's ``languages`` was kept have no such column: read it as null."""
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)
    names = {row[0] for row in con.execute("DESCRIBE trusted_series_files").fetchall()}
    extra = "" if "languages" in names else ", NULL::VARCHAR[] AS languages"
    con.execute(f"CREATE TEMP VIEW trusted_series AS SELECT *{extra} FROM trusted_series_files")


def _local_titles(con: object, lake: Lake) -> None:
    """``local_movies`` and ``local_series``: each CSV title's latest ``dt`` (empty without a CSV)."""
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)
    for name, spec, ddl in (("movies", "Movies", LOCAL_MOVIES_DDL), ("series", "Series", LOCAL_SERIES_DDL)):
        view = f"trusted_local_{name}"
        found = _trusted(lake, Origin.LOCAL, spec)
        if found:
            con.execute(f"CREATE TEMP VIEW {view} AS SELECT * FROM {found}")
        else:
            made = functools.partial(trusted_sql.trusted_local, series=spec == "Series")
            _empty_trusted(con, view, ddl, made)
        con.execute(f"CREATE TEMP TABLE local_{name} AS {refined_sql.latest_local(view)}")


def run(lake: Lake, *, progress: Progress | None, catalog: str) -> RefinedResult:
    """Rebuild every Refined table from Trusted (each title's most recent ``dt`` wins)."""
    say = progress or (lambda _message: None)
    con = connect(lake)
    counts: dict[str, int] = {}

    def committed(done: tables.Commit) -> None:
        counts[done.table] = done.total
        say(f"{done.table}: {done.total:,} rows")

    try:
        movies = _trusted(lake, Origin.TMDB, "Movies")
        series = _trusted(lake, Origin.TMDB, "Series")
        if not (movies or series):
            raise UsageError(
                f"no Trusted TMDB movies in {lake.url} ({layout.trusted_dir(Origin.TMDB, 'Movies')}) nor "
                f"series ({layout.trusted_dir(Origin.TMDB, 'Series')}): run `cinelake transform "
                "raw-to-trusted` first"
            )
        with duck_errors("trusted-to-refined"):
            if movies:
                con.execute(f"CREATE TEMP VIEW trusted_movies AS SELECT * FROM {movies}")
            else:
                _empty_trusted(con, "trusted_movies", TMDB_MOVIE_DDL, trusted_sql.trusted_movies)
            if series:
                con.execute(f"CREATE TEMP VIEW trusted_series_files AS SELECT * FROM {series}")
                _with_languages(con)
            else:
                _empty_trusted(con, "trusted_series", TMDB_SERIES_DDL, trusted_sql.trusted_series)
            # Every table reads the latest movies and series: computed once.
            con.execute(f"CREATE TEMP TABLE movies AS {refined_sql.LATEST_MOVIES}")
            con.execute(f"CREATE TEMP TABLE series AS {refined_sql.LATEST_SERIES}")
            _local_titles(con, lake)
            namekey.register(con, refined_sql.KEYED_TEXTS)
            stood = _collection_day(con)
            # Each table's commit runs while the next table is written (made here, after the reads and
            # the imports they need: the commit thread's own imports never run beside them).
            with tables.BackgroundCommits(lake, committed) as commits:
                for name, query in refined_sql.TABLES.items():
                    table = refined_table(name)
                    files = _write_table(con, lake, table, query)
                    commits.submit(functools.partial(tables.commit_rebuilt, lake, table, files, day=stood))
    finally:
        con.close()
    result = RefinedResult({layout.refined_table(name): rows for name, rows in counts.items()})
    result.catalog_updated = True
    return result


def _collection_day(con: object) -> date | None:
    """The lake's latest collection day in Trusted (what the Refined snapshots stand for)."""
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)
    found = con.execute(
        "SELECT max(dt) FROM (SELECT dt FROM movies UNION ALL SELECT dt FROM series)"
    ).fetchone()
    return found[0] if found and found[0] else None


def _write_table(con: object, lake: Lake, table: TableDef, query: str) -> list[str]:
    """Write one table's rows to Parquet in its folder, to be committed; returns the files."""
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)
    if lake.is_local:
        staged = lake.fs_path(tables.staging_dir(lake, table, "duckdb"))
    else:
        staged = tempfile.mkdtemp(prefix="cinelake-refined-")
    os.makedirs(staged, exist_ok=True)
    token = tables.new_token()
    if table.partition:
        con.execute(
            f"COPY ({query}) TO {sql_string(staged)} (FORMAT parquet, PARTITION_BY ({table.partition}), "
            f"WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'part-{token}-{{i}}', OVERWRITE_OR_IGNORE true)"
        )
    else:
        con.execute(
            f"COPY ({query}) TO {sql_string(f'{staged}/part-00000-{token}.parquet')} (FORMAT parquet)"
        )
    return tables.place(lake, table, staged)
