"""The Trusted -> Refined job on DuckDB: every table of the star schema rebuilt whole and swapped in
(locally) or uploaded (S3), then the catalog updated, under the same lease as the Spark job."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable

from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Origin, Zone
from cinelake.lake.store import Lake
from cinelake.spark.catalog_hook import update_catalog_if_present
from cinelake.spark.trusted_to_refined import RefinedResult
from cinelake.transform import namekey, publish, refined_sql
from cinelake.transform.duck import connect, duck_errors, sql_string
from cinelake.transform.lease import exclusive

Progress = Callable[[str], None]


def _has_parquet(lake: Lake, rel: str) -> bool:
    return any(p.endswith(".parquet") for p in lake.list_files(rel))


def _trusted(lake: Lake, rel: str) -> str:
    glob = sql_string(f"{lake.uri(rel)}/dt=*/*.parquet")
    return f"read_parquet({glob}, hive_partitioning = true, union_by_name = true)"


def run(lake: Lake, *, progress: Progress | None, catalog: str) -> RefinedResult:
    """Rebuild every Refined table from Trusted (each title's most recent ``dt`` wins)."""
    with exclusive(lake, Zone.REFINED, "trusted-to-refined"):
        return _run(lake, progress=progress, catalog=catalog)


def _run(lake: Lake, *, progress: Progress | None, catalog: str) -> RefinedResult:
    say = progress or (lambda _message: None)
    movies_rel = layout.trusted_dir(Origin.TMDB, "Movies")
    local_rel = layout.trusted_dir(Origin.LOCAL, "Movies")
    if not _has_parquet(lake, movies_rel):
        raise UsageError(
            f"no Trusted TMDB movies in {lake.url} ({movies_rel}): "
            "run `cinelake transform raw-to-trusted` first"
        )
    con = connect(lake)
    counts: dict[str, int] = {}
    try:
        with duck_errors("trusted-to-refined"):
            namekey.register(con)
            con.execute(f"CREATE TEMP VIEW trusted_movies AS SELECT * FROM {_trusted(lake, movies_rel)}")
            # Every table reads the latest movies: computed once.
            con.execute(f"CREATE TEMP TABLE movies AS {refined_sql.LATEST_MOVIES}")
            if _has_parquet(lake, local_rel):
                con.execute(f"CREATE TEMP VIEW trusted_local AS SELECT * FROM {_trusted(lake, local_rel)}")
                con.execute(f"CREATE TEMP TABLE ratings AS {refined_sql.LATEST_RATINGS}")
            else:
                con.execute(f"CREATE TEMP TABLE ratings AS {refined_sql.NO_RATINGS}")
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
