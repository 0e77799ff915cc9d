"""Reading the tables with DuckDB: ``iceberg_scan`` of each table's snapshot, offline.

DuckDB's ``iceberg`` extension reads a snapshot itself (manifests, data files, and the delete files
Athena's UPDATE and MERGE write) with filter and column pushdown; it reaches an ``s3://`` or
``memory://`` lake through the lake's fsspec filesystem registered on the connection, so no
``httpfs`` extension is needed. The extension files come from the PyPI packages
``duckdb-extension-avro`` and ``duckdb-extension-iceberg`` and are loaded by path (avro first),
never downloaded.
"""

from __future__ import annotations

import os
from datetime import date
from typing import TYPE_CHECKING

from cinelake.errors import UsageError
from cinelake.lake.layout import partition_day
from cinelake.lake.store import Lake
from cinelake.tables.registry import ALL_TABLES, TableDef
from cinelake.tables.store import DAY_PROPERTY, SOURCES_PROPERTY, load

if TYPE_CHECKING:
    from collections.abc import Collection

    import duckdb
    from pyiceberg.table import Table

DUCKDB_VERSION = "v1.5.5"


def extension_file(package_file: str, name: str) -> str:
    return os.path.join(
        os.path.dirname(package_file), "extensions", DUCKDB_VERSION, f"{name}.duckdb_extension"
    )


def load_iceberg(con: duckdb.DuckDBPyConnection) -> None:
    """Load the avro and iceberg extensions shipped by their PyPI packages into ``con``."""
    import duckdb_extension_avro
    import duckdb_extension_iceberg

    con.execute(f"LOAD '{extension_file(duckdb_extension_avro.__file__, 'avro')}'")
    con.execute(f"LOAD '{extension_file(duckdb_extension_iceberg.__file__, 'iceberg')}'")


def snapshot_at(table: Table, as_of: str | int | None) -> int | None:
    """The snapshot the table had at ``as_of``: a collection day (``YYYY-MM-DD``: the last snapshot
    that stood for that day or an earlier one) or a commit time in milliseconds (the last snapshot
    committed by then, see :func:`moment_of`); the current one when ``as_of`` is None. None: the
    table had no snapshot then."""
    current = table.current_snapshot()
    if as_of is None:
        return current.snapshot_id if current else None
    chosen = None
    for entry in table.history():
        snapshot = table.snapshot_by_id(entry.snapshot_id)
        if snapshot is None:
            continue
        if isinstance(as_of, int):
            if snapshot.timestamp_ms <= as_of:
                chosen = entry.snapshot_id
            continue
        stood = snapshot.summary.additional_properties.get(DAY_PROPERTY) if snapshot.summary else None
        if stood is not None and stood <= as_of:
            chosen = entry.snapshot_id
    return chosen


def moment_of(lake: Lake, as_of: str) -> str | int:
    """``as_of`` as a day (ISO) or, for a snapshot id of any of the lake's tables, the time that
    snapshot was committed (milliseconds): every table is then read as it stood at that moment."""
    text = as_of.strip()
    if text.isdigit():
        for _table, iceberg in existing_tables(lake):
            found = iceberg.snapshot_by_id(int(text))
            if found is not None:
                return int(found.timestamp_ms)
        raise UsageError(f"--as-of {text}: no table of {lake.url} has that snapshot")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise UsageError(f"--as-of {as_of!r}: give a day (YYYY-MM-DD) or a snapshot id") from None


def scan_sql(table: Table, snapshot_id: int | None = None) -> str:
    """``iceberg_scan(...)`` of the table's metadata file (at ``snapshot_id`` when given)."""
    where = table.metadata_location.replace("'", "''")
    at = f", snapshot_from_id = {snapshot_id}" if snapshot_id is not None else ""
    return f"iceberg_scan('{where}'{at})"


def snapshot_facts(lake: Lake, table: TableDef) -> tuple[int, int, tuple[str, ...]] | None:
    """(data files, rows, ``dt`` days) of the table's current snapshot; None when the lake's catalog has
    no such table.

    Read from the snapshot's summary where it holds them: ``total-data-files`` and ``total-records``
    (pyiceberg and Iceberg's Java writers, Athena's included, keep them), and for a table partitioned by
    ``dt`` the days it was built from (``cinelake.raw-sources``, which every transform's commit
    carries). That is one metadata read, where planning the files reads the manifest list and every
    manifest too: 27 tables' plans were most of the report step's time on S3 (py-spy). A snapshot
    without them is planned."""
    import json

    found = load(lake, table)
    if found is None:
        return None
    snapshot = found.current_snapshot()
    if snapshot is None:
        return 0, 0, ()
    facts = snapshot.summary.additional_properties if snapshot.summary else {}
    files, rows = facts.get("total-data-files"), facts.get("total-records")
    sources = facts.get(SOURCES_PROPERTY)
    if files is not None and rows is not None and (table.partition != "dt" or sources):
        days = tuple(sorted(json.loads(sources))) if table.partition == "dt" and sources else ()
        return int(files), int(rows), days
    planned = [(task.file.file_path, int(task.file.record_count)) for task in found.scan().plan_files()]
    days = tuple(sorted({day for path, _ in planned if (day := partition_day(path))}))
    return len(planned), sum(count for _, count in planned), days


def existing_tables(lake: Lake, names: Collection[str] | None = None) -> list[tuple[TableDef, Table]]:
    """The lake's Trusted and Refined tables that have been committed, in registry order; only those
    whose names are in ``names`` when given (each load reads the catalog and a metadata file)."""
    found = []
    for table in ALL_TABLES:
        if names is not None and table.name not in names:
            continue
        iceberg = load(lake, table)
        if iceberg is not None:
            found.append((table, iceberg))
    return found


def register_views(
    con: duckdb.DuckDBPyConnection,
    lake: Lake,
    as_of: str | None = None,
    names: Collection[str] | None = None,
) -> list[str]:
    """One view per committed table (its snapshot at ``as_of``, else its current one), or per table of
    ``names`` when given; returns the names. A table without a snapshot at that point is left out.
    A remote lake's filesystem must already be registered on ``con``, and the extensions loaded
    (:func:`load_iceberg`: before the connection is confined to the lake, which refuses a ``LOAD``
    from elsewhere)."""
    from cinelake.catalog.types import quote_ident

    moment = moment_of(lake, as_of) if as_of is not None else None
    made = []
    for table, iceberg in existing_tables(lake, names):
        snapshot = snapshot_at(iceberg, moment)
        if snapshot is None:
            continue
        pinned = snapshot if as_of is not None else None
        con.execute(
            f"CREATE OR REPLACE VIEW {quote_ident(table.name)} AS SELECT * FROM {scan_sql(iceberg, pinned)}"
        )
        made.append(table.name)
    return made
