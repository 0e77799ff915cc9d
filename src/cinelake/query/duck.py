"""DuckDB over the catalogs: one view per table, reading the lake's files where they lie.

The Raw tables come from the crawler's catalog; the Trusted and Refined tables are Apache Iceberg
tables read with ``iceberg_scan`` at their current snapshot (or the one ``as_of`` names), through
:mod:`cinelake.tables.reading`.

JSON Lines are read with the catalog's schema (``read_json`` with ``columns``), pipe CSV with ``\\N``
nulls and no quoting, Parquet with Hive partitioning; ``YYYY/MM/DD`` folders become the ``year``,
``month`` and ``day`` columns. On a remote lake (``s3://``, ``memory://``) the lake's own fsspec
filesystem is registered on the connection, so DuckDB needs no extension download.
"""

from __future__ import annotations

import logging
import os
import re
from typing import TYPE_CHECKING

from cinelake.catalog.backend import CatalogBackend
from cinelake.catalog.model import Table
from cinelake.catalog.tables import P_PATH
from cinelake.catalog.types import duckdb_type, quote_ident
from cinelake.lake.store import Lake
from cinelake.query.guard import strip_comments
from cinelake.tables.reading import load_iceberg, register_views
from cinelake.tables.registry import ALL_TABLES

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger("cinelake.query")

_DATE_PARTS = r"/(\d{4})/(\d{2})/(\d{2})/[^/]+$"


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _columns_arg(table: Table) -> str:
    pairs = ", ".join(f"{sql_string(c.name)}: {sql_string(duckdb_type(c.type))}" for c in table.columns)
    return "{" + pairs + "}"


def table_glob(lake: Lake, table: Table) -> str:
    """The files of a table as a glob DuckDB expands: the location, the partition folders, the extension."""
    rel = table.parameters.get(P_PATH)
    base = lake.uri(rel).rstrip("/") if rel else table.location.rstrip("/")
    ext = table.parameters.get("cinelake.fileExtension") or {"parquet": ".parquet", "csv": ".csv"}.get(
        table.classification, ".json"
    )
    depth = len(table.partition_keys)
    folders = "/*" * depth
    return f"{base}{folders}/*{ext}"


def view_sql(lake: Lake, table: Table, *, schema: bool = True) -> str:
    """``CREATE VIEW`` of one catalog table.

    ``schema=False`` lets DuckDB detect the JSON columns itself (dates left as strings, as in the
    catalog): several times faster to scan than an explicit ``columns`` list, so :func:`connect` uses
    it whenever the detected columns are the catalog's.
    """
    glob = sql_string(table_glob(lake, table))
    layout = table.layout
    hive = "true" if layout == "hive" else "false"
    if table.classification == "parquet":
        source = (
            f"read_parquet({glob}, hive_partitioning = {hive}, hive_types_autocast = false, "
            "union_by_name = true)"
        )
    elif table.classification == "json":
        columns = (
            f"columns = {_columns_arg(table)}" if schema else "dateformat = 'none', timestampformat = 'none'"
        )
        source = (
            f"read_json({glob}, format = 'newline_delimited', {columns}, "
            f"hive_partitioning = {hive}, hive_types_autocast = false, filename = '__file')"
        )
    else:
        params = table.parameters
        delim = params.get("delimiter", "|")
        quoted = params.get("areColumnsQuoted") == "true"
        quote = "'\"'" if quoted else "''"
        source = (
            f"read_csv({glob}, delim = {sql_string(delim)}, header = true, nullstr = '\\N', "
            f"quote = {quote}, escape = {quote}, columns = {_columns_arg(table)}, "
            f"hive_partitioning = {hive}, hive_types_autocast = false, filename = '__file')"
        )
    name = quote_ident(table.name)
    if layout == "date" and table.classification != "parquet":
        parts = ", ".join(
            f"regexp_extract(__file, {sql_string(_DATE_PARTS)}, {i + 1}) AS {quote_ident(k.name)}"
            for i, k in enumerate(table.partition_keys)
        )
        return f"CREATE OR REPLACE VIEW {name} AS SELECT * EXCLUDE (__file), {parts} FROM {source}"
    if table.classification != "parquet":
        return f"CREATE OR REPLACE VIEW {name} AS SELECT * EXCLUDE (__file) FROM {source}"
    return f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {source}"


def register_lake(con: duckdb.DuckDBPyConnection, lake: Lake) -> None:
    """Let DuckDB read a remote lake through the lake's fsspec filesystem."""
    filesystem = lake.engine_filesystem()
    if filesystem is not None:
        con.register_filesystem(filesystem)


def confine_to_lake(con: duckdb.DuckDBPyConnection, lake: Lake) -> None:
    """Let the connection read the lake's files and nothing else on the host, for good.

    ``allowed_directories`` is the lake's root (a local folder, or the ``s3://``/``memory://`` prefix
    read through the filesystem :func:`register_lake` registered); with ``enable_external_access`` off,
    every other path (``read_text('/etc/passwd')``, ``glob('/*')``, ``ATTACH``, ``INSTALL``) is refused,
    and ``lock_configuration`` keeps a query from turning it back on. Extension files loaded by path
    must be loaded before this call: a ``LOAD`` from outside the lake is refused after it.
    """
    root = lake.uri("").rstrip("/") + "/"
    con.execute(f"SET allowed_directories = [{sql_string(root)}]")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def catalog_tables(lake: Lake, catalog: CatalogBackend) -> list[Table]:
    """The catalog's tables, or (on a lake never crawled) the tables a crawl would find, kept in memory."""
    if catalog.exists():
        return catalog.list_tables()
    from cinelake.catalog.crawler import crawl
    from cinelake.catalog.memory import MemoryCatalog

    log.info("no catalog %r in %s yet: reading the lake's layout in memory", catalog.database, lake.url)
    memory = MemoryCatalog(catalog.database)
    crawl(lake, backend=memory)
    return memory.list_tables()


def words_of(sql: str) -> set[str]:
    """The identifiers a SQL text spells (lower-case, comments left out): a superset of the tables it
    names, which is all :func:`connect` needs to leave the other views out."""
    return {w.lower() for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", strip_comments(sql))}


def connect(
    lake: Lake,
    *,
    database: str | None = None,
    backend: str | CatalogBackend | None = None,
    tables: list[Table] | None = None,
    as_of: str | None = None,
    confine: bool = True,
    for_sql: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per table (``fact_movie``, ``raw_tmdb_movies``):
    the Iceberg tables at their current snapshot, or as the lake stood at ``as_of`` (a collection day
    ``YYYY-MM-DD`` or a snapshot id; the Raw views are the lake's files as they are now).

    Reads the catalog of ``database`` (default: the settings' ``catalog_database``) from ``backend``
    (default: ``$CINELAKE_CATALOG_BACKEND``, else ``local``, so the report step on AWS reads the Glue
    catalog); a lake without a catalog is crawled in memory first, so a fresh lake is queryable too.
    The connection reads the lake and no other file of the host (:func:`confine_to_lake`) unless
    ``confine`` is False (``cinelake sql --allow-writes``, which writes where it is told).

    With ``for_sql``, only the views of the tables that SQL text names are made (all of them when it
    names none, as ``SHOW TABLES``): each view costs a listing of its files or a load of its Iceberg
    metadata, which on S3 are round trips, and a query uses a few of the lake's thirty-odd tables.
    """
    import duckdb

    from cinelake.catalog.crawler import open_backend
    from cinelake.catalog.update import BACKEND_ENV

    if tables is None:
        chosen = backend or os.environ.get(BACKEND_ENV) or "local"
        tables = catalog_tables(lake, open_backend(lake, chosen, database))
    named: set[str] | None = None
    if for_sql is not None:
        words = words_of(for_sql)
        wanted = [t for t in tables if t.name.lower() in words]
        if wanted or any(t.name in words for t in ALL_TABLES):
            tables, named = wanted, words
    con = duckdb.connect(":memory:")
    register_lake(con, lake)
    load_iceberg(con)  # before confining: a LOAD from outside the lake is refused after it
    if confine:
        confine_to_lake(con, lake)
    for table in tables:
        try:
            if not (table.classification == "json" and _detected_view(con, lake, table)):
                con.execute(view_sql(lake, table))
        except duckdb.Error as exc:
            # A table whose files are gone must not hide the others: leave it out and say so.
            log.warning("table %s left out of the SQL views: %s", table.name, str(exc).splitlines()[0])
    register_views(con, lake, as_of, named)
    return con


def _normal(duck_type: str) -> str:
    return duck_type.replace('"', "").replace(" ", "").upper()


def _detected_view(con: duckdb.DuckDBPyConnection, lake: Lake, table: Table) -> bool:
    """Create the view with DuckDB's own JSON detection if it finds exactly the catalog's columns."""
    import duckdb

    try:
        con.execute(view_sql(lake, table, schema=False))
        described = con.execute(f"DESCRIBE {quote_ident(table.name)}").fetchall()
    except duckdb.Error:
        return False
    keys = {k.name for k in table.partition_keys}
    detected = {str(row[0]): _normal(str(row[1])) for row in described if row[0] not in keys}
    expected = {c.name: _normal(duckdb_type(c.type)) for c in table.columns}
    return detected == expected
