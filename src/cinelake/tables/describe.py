"""The Iceberg tables in the catalog's terms: what ``cinelake catalog tables|show|ddl`` print beside
the crawler's Raw tables, and Athena's DDL of an Iceberg table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cinelake.catalog import model as m
from cinelake.catalog.ddl import quote_name, quote_string
from cinelake.catalog.model import Column, SerDeInfo, StorageDescriptor, Table
from cinelake.lake.store import Lake
from cinelake.tables.catalog import namespace
from cinelake.tables.reading import existing_tables
from cinelake.tables.registry import TableDef, table_def
from cinelake.tables.store import load, summary

if TYPE_CHECKING:
    from pyiceberg.table import Table as IcebergTable

ICEBERG = "iceberg"


def _columns(iceberg: IcebergTable) -> tuple[Column, ...]:
    """The columns in Glue / Hive type names, by pyiceberg's own Glue type mapping."""
    from pyiceberg.catalog.glue import _IcebergSchemaToGlueType
    from pyiceberg.schema import visit

    return tuple(
        Column(f.name, visit(f.field_type, _IcebergSchemaToGlueType())) for f in iceberg.schema().fields
    )


def as_catalog_table(table: TableDef, iceberg: IcebergTable) -> Table:
    """One Iceberg table as the catalog's Glue-shaped model (current snapshot's files, rows and size)."""
    found = summary(iceberg)
    snapshot = iceberg.current_snapshot()
    storage = StorageDescriptor(
        _columns(iceberg), iceberg.location(), m.PARQUET_INPUT, m.PARQUET_OUTPUT, SerDeInfo(m.PARQUET_SERDE)
    )
    parameters = {
        m.P_CLASSIFICATION: ICEBERG,
        "table_type": "ICEBERG",
        "metadata_location": iceberg.metadata_location,
        m.P_ZONE: table.zone.value,
        m.P_OBJECTS: found.get("total-data-files", "0"),
        m.P_RECORD_COUNT: found.get("total-records", "0"),
        m.P_SIZE: found.get("total-files-size", "0"),
        "current-snapshot-id": str(snapshot.snapshot_id) if snapshot else "",
    }
    # The partition column is one of the table's columns (Iceberg's hidden partitioning), so it is
    # listed as the "partitioned by" column without being a separate key.
    keys = (Column(table.partition, "identity"),) if table.partition else ()
    return Table(table.name, namespace(), storage, keys, parameters, table_type="EXTERNAL_TABLE")


def iceberg_catalog_tables(lake: Lake) -> list[Table]:
    """Every committed Trusted and Refined table of the lake, in the catalog's model."""
    return [as_catalog_table(table, iceberg) for table, iceberg in existing_tables(lake)]


def lake_tables(lake: Lake, *, backend: str = "local", database: str | None = None) -> list[Table]:
    """What ``cinelake catalog tables`` lists: the crawler's Raw tables (none when the lake was never
    crawled) and the committed Trusted and Refined Iceberg tables, which shadow a crawled table of
    their name (a lake crawled before its tables were Iceberg tables)."""
    from cinelake.catalog.api import tables as crawled_tables
    from cinelake.errors import UsageError

    iceberg = iceberg_catalog_tables(lake)
    try:
        crawled = crawled_tables(lake, backend=backend, database=database)
    except UsageError:
        if not iceberg:
            raise
        crawled = []
    names = {t.name for t in iceberg}
    return [t for t in crawled if t.name not in names] + iceberg


def table_ddl(
    lake: Lake,
    name: str,
    *,
    backend: str = "local",
    database: str | None = None,
    location_root: str | None = None,
) -> str:
    """What ``cinelake catalog ddl`` prints: Athena's Iceberg DDL for a Trusted or Refined table, the
    crawler's ``CREATE EXTERNAL TABLE`` for a Raw one."""
    from cinelake.catalog.api import ddl as crawled_ddl

    iceberg = iceberg_catalog_table(lake, name)
    if iceberg is not None:
        return athena_iceberg_ddl(iceberg, location_root=location_root, lake=lake)
    return crawled_ddl(lake, name, backend=backend, database=database, location_root=location_root)


def iceberg_catalog_table(lake: Lake, name: str) -> Table | None:
    """The Iceberg table ``name`` in the catalog's model, or None when the lake has none by that name."""
    try:
        table = table_def(name)
    except Exception:
        return None
    iceberg = load(lake, table)
    return as_catalog_table(table, iceberg) if iceberg is not None else None


def athena_iceberg_ddl(table: Table, *, location_root: str | None = None, lake: Lake | None = None) -> str:
    """Athena's ``CREATE TABLE ... TBLPROPERTIES ('table_type'='ICEBERG')`` of an Iceberg table
    (``location_root`` re-roots a folder lake's location, e.g. at ``s3://bucket``)."""
    from cinelake.catalog.ddl import ddl_type

    location = table.location
    if location_root and lake is not None:
        prefix = f"file://{lake.fs_path('')}" if lake.is_local else lake.uri()
        if location.startswith(prefix):
            location = location_root.rstrip("/") + location[len(prefix) :]
    lines = [f"CREATE TABLE IF NOT EXISTS {quote_name(table.database)}.{quote_name(table.name)} ("]
    lines.append(",\n".join(f"  {quote_name(c.name)} {ddl_type(c.type)}" for c in table.columns))
    lines.append(")")
    if table.partition_keys:
        lines.append(f"PARTITIONED BY ({', '.join(quote_name(k.name) for k in table.partition_keys)})")
    lines.append(f"LOCATION {quote_string(location)}")
    lines.append("TBLPROPERTIES ('table_type' = 'ICEBERG', 'format' = 'parquet');")
    return "\n".join(lines)
