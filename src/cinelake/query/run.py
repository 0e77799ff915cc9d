"""``run_sql``: one read-only SQL statement over the lake, in DuckDB (default) or Athena."""

from __future__ import annotations

import time
from typing import Any

from cinelake.catalog.backend import CatalogBackend
from cinelake.catalog.model import Table
from cinelake.errors import UsageError
from cinelake.lake.store import Lake
from cinelake.query.guard import check_read_only
from cinelake.query.result import QueryResult

ENGINES = ("duckdb", "athena")
_READ_TYPES = ("SELECT", "EXPLAIN")


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def run_duckdb(
    lake: Lake,
    sql: str,
    *,
    read_only: bool = True,
    database: str | None = None,
    backend: str | CatalogBackend = "local",
    as_of: str | None = None,
) -> QueryResult:
    import duckdb

    from cinelake.catalog.crawler import open_backend
    from cinelake.query.duck import catalog_tables, connect

    started = time.perf_counter()
    tables = catalog_tables(lake, open_backend(lake, backend, database))
    con = connect(lake, tables=tables, as_of=as_of, confine=read_only, for_sql=sql)
    try:
        try:
            statements = con.extract_statements(sql)
        except duckdb.Error as exc:
            raise UsageError(f"SQL error: {first_line(exc)}") from None
        if read_only:
            if len(statements) != 1:
                raise UsageError("give one SQL statement at a time")
            kind = statements[0].type.name
            if kind not in _READ_TYPES:
                raise UsageError(
                    f"refused {kind}: queries are read-only (SELECT, WITH, SHOW, DESCRIBE or EXPLAIN)"
                )
        try:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall() if cursor.description else []
        except duckdb.Error as exc:
            raise _query_error(exc, lake, tables) from None
    finally:
        con.close()
    return QueryResult(columns, rows, "duckdb", time.perf_counter() - started)


def _query_error(exc: BaseException, lake: Lake, tables: list[Table]) -> UsageError:
    """The SQL error in one line; on a lake with no table at all, that first (a query there can only
    name a missing table)."""
    if tables:
        return UsageError(f"SQL error: {first_line(exc)}")
    return UsageError(
        f"the lake {lake.url} is empty (no table in it): `cinelake demo` builds a sample lake, "
        f"`cinelake pipeline --csv PATH` one from your data (SQL error: {first_line(exc)})"
    )


def run_sql(
    lake: Lake,
    sql: str,
    *,
    engine: str = "duckdb",
    read_only: bool = True,
    database: str | None = None,
    backend: str | CatalogBackend = "local",
    workgroup: str | None = None,
    output_location: str | None = None,
    athena_client: Any = None,
    as_of: str | None = None,
) -> QueryResult:
    """Run one SQL statement over the lake's catalog tables and return its rows.

    ``engine`` is ``duckdb`` (in process, over the lake's files) or ``athena`` (the statement runs in
    Amazon Athena against the Glue database ``database``, in ``workgroup``: default the settings'
    ``CINELAKE_ATHENA_WORKGROUP``, else ``primary``). Read-only unless ``read_only=False``:
    anything but SELECT, WITH, SHOW, DESCRIBE or EXPLAIN is refused. SQL errors are a
    :class:`~cinelake.errors.UsageError` with one line of message. ``as_of`` (DuckDB): the Trusted and
    Refined tables as the lake stood at the end of that collection day (``YYYY-MM-DD``) or at that
    Iceberg snapshot id.
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}: use duckdb or athena")
    if read_only:
        check_read_only(sql)
    if engine == "athena":
        from cinelake.config import get_settings
        from cinelake.query.athena import run_athena

        settings = get_settings()
        return run_athena(
            sql,
            database=database or settings.catalog_database,
            workgroup=workgroup or settings.athena_workgroup,
            output_location=output_location,
            client=athena_client,
        )
    if as_of is not None and engine != "duckdb":
        raise UsageError("--as-of reads the lake's Iceberg snapshots: use it with --query-engine duckdb")
    return run_duckdb(lake, sql, read_only=read_only, database=database, backend=backend, as_of=as_of)
