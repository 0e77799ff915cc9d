"""The Trusted -> Refined job on DuckDB: every table of the star schema rebuilt whole and swapped in
(locally) or uploaded (S3), then the catalog updated, under the same lease as the Spark job."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Callable

from cinelake.catalog.types import quote_ident
from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Origin, Zone
from cinelake.lake.store import Lake
from cinelake.spark.catalog_hook import update_catalog_if_present
from cinelake.spark.schemas import LOCAL_MOVIES_DDL, LOCAL_SERIES_DDL, TMDB_MOVIE_DDL, TMDB_SERIES_DDL
from cinelake.transform import namekey, publish, refined_sql, trusted_sql
from cinelake.transform.duck import connect, duck_errors, sql_string
from cinelake.transform.lease import exclusive
from cinelake.transform.results import RefinedResult

Progress = Callable[[str], None]


def _has_parquet(lake: Lake, rel: str) -> bool:
    return any(p.endswith(".parquet") for p in lake.list_files(rel))


def _trusted(lake: Lake, rel: str) -> str:
    glob = sql_string(f"{lake.uri(rel)}/dt=*/*.parquet")
    return f"read_parquet({glob}, hive_partitioning = true, union_by_name = true)"


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
        rel, view = layout.trusted_dir(Origin.LOCAL, spec), f"trusted_local_{name}"
        if _has_parquet(lake, rel):
            con.execute(f"CREATE TEMP VIEW {view} AS SELECT * FROM {_trusted(lake, rel)}")
        else:
            made = functools.partial(trusted_sql.trusted_local, series=spec == "Series")
            _empty_trusted(con, view, ddl, made)
        con.execute(f"CREATE TEMP TABLE local_{name} AS {refined_sql.latest_local(view)}")


def run(lake: Lake, *, progress: Progress | None, catalog: str) -> RefinedResult:
    """Rebuild every Refined table from Trusted (each title's most recent ``dt`` wins)."""
    with exclusive(lake, Zone.REFINED, "trusted-to-refined"):
        return _run(lake, progress=progress, catalog=catalog)


def _run(lake: Lake, *, progress: Progress | None, catalog: str) -> RefinedResult:
    say = progress or (lambda _message: None)
    movies_rel = layout.trusted_dir(Origin.TMDB, "Movies")
    series_rel = layout.trusted_dir(Origin.TMDB, "Series")
    has_movies, has_series = _has_parquet(lake, movies_rel), _has_parquet(lake, series_rel)
    if not (has_movies or has_series):
        raise UsageError(
            f"no Trusted TMDB movies in {lake.url} ({movies_rel}) nor series ({series_rel}): "
            "run `cinelake transform raw-to-trusted` first"
        )
    con = connect(lake)
    counts: dict[str, int] = {}
    try:
        with duck_errors("trusted-to-refined"):
            namekey.register(con)
            if has_movies:
                con.execute(f"CREATE TEMP VIEW trusted_movies AS SELECT * FROM {_trusted(lake, movies_rel)}")
            else:
                _empty_trusted(con, "trusted_movies", TMDB_MOVIE_DDL, trusted_sql.trusted_movies)
            if has_series:
                con.execute(
                    f"CREATE TEMP VIEW trusted_series_files AS SELECT * FROM {_trusted(lake, series_rel)}"
                )
                _with_languages(con)
            else:
                _empty_trusted(con, "trusted_series", TMDB_SERIES_DDL, trusted_sql.trusted_series)
            # Every table reads the latest movies and series: computed once.
            con.execute(f"CREATE TEMP TABLE movies AS {refined_sql.LATEST_MOVIES}")
            con.execute(f"CREATE TEMP TABLE series AS {refined_sql.LATEST_SERIES}")
            _local_titles(con, lake)
            for name, query in refined_sql.TABLES.items():
                counts[name] = _write_table(con, lake, layout.refined_table(name), query)
                say(f"{name}: {counts[name]:,} rows")
    finally:
        con.close()
    result = RefinedResult({layout.refined_table(name): rows for name, rows in counts.items()})
    result.catalog_updated = update_catalog_if_present(lake, Zone.REFINED, catalog)
    return result


def _write_table(con: object, lake: Lake, table_rel: str, query: str) -> int:
    """Write one table as one Parquet file and publish it whole; returns its rows."""
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)
    parent, name = table_rel.rsplit("/", 1)
    if lake.is_local:
        publish.recover(lake, table_rel)
        staged_rel = f"{parent}/.{name}.tmp-{publish.token()}"
        staged = lake.fs_path(staged_rel)
    else:
        staged = tempfile.mkdtemp(prefix="cinelake-refined-")
    os.makedirs(staged, exist_ok=True)
    try:
        target = sql_string(f"{staged}/part-00000-{publish.token()}.parquet")
        written = con.execute(f"COPY ({query}) TO {target} (FORMAT parquet)").fetchone()
        rows = int(written[0]) if written else 0
        if lake.is_local:
            publish.swap_in(lake, table_rel, staged_rel)
        else:
            publish.upload_replacing(lake, staged, table_rel)
    finally:
        if os.path.isdir(staged):
            shutil.rmtree(staged, ignore_errors=True)
    return rows
