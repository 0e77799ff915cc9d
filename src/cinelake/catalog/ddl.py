"""Athena DDL (``CREATE EXTERNAL TABLE``) of a catalog table.

JSON Lines use the OpenX JSON SerDe, pipe-separated text LazySimpleSerDe with ``\\N`` nulls, comma CSV
the OpenCSVSerde, Parquet its Hive SerDe; the ``YYYY/MM/DD`` and ``dt=`` layouts get partition
projection, so Athena sees new days without ``MSCK REPAIR TABLE``.
"""

from __future__ import annotations

from cinelake.catalog.model import Table
from cinelake.catalog.tables import P_PATH, projection_location

# Table properties that belong in the DDL (the rest are crawler statistics and bookkeeping).
_DDL_PROPERTIES = ("classification", "compressionType", "typeOfData", "skip.header.line.count")


def quote_string(value: str) -> str:
    """A HiveQL string literal: backslashes and quotes escaped (``\\N`` is written ``'\\\\N'``)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_name(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _properties(props: dict[str, str]) -> str:
    return ",\n".join(f"  {quote_string(k)}={quote_string(v)}" for k, v in props.items())


def table_location(table: Table, location_root: str | None = None) -> str:
    """The table's location, or the same folder under another root (a local lake's S3 copy)."""
    if location_root and table.parameters.get(P_PATH):
        return location_root.rstrip("/") + "/" + table.parameters[P_PATH] + "/"
    return table.location


def athena_ddl(table: Table, *, location_root: str | None = None) -> str:
    """``CREATE EXTERNAL TABLE`` for Athena. ``location_root`` re-roots the location (e.g. ``s3://bucket``)."""
    location = table_location(table, location_root)
    lines = [f"CREATE EXTERNAL TABLE IF NOT EXISTS {quote_name(table.database)}.{quote_name(table.name)} ("]
    lines.append(",\n".join(f"  {quote_name(c.name)} {c.type}" for c in table.columns))
    lines.append(")")
    if table.partition_keys:
        keys = ", ".join(f"{quote_name(k.name)} {k.type}" for k in table.partition_keys)
        lines.append(f"PARTITIONED BY ({keys})")
    serde = table.storage.serde
    lines.append(f"ROW FORMAT SERDE {quote_string(serde.serialization_library)}")
    if serde.parameters:
        lines.append(f"WITH SERDEPROPERTIES (\n{_properties(serde.parameters)}\n)")
    lines.append(f"STORED AS INPUTFORMAT {quote_string(table.storage.input_format)}")
    lines.append(f"OUTPUTFORMAT {quote_string(table.storage.output_format)}")
    lines.append(f"LOCATION {quote_string(location)}")
    props = {k: table.parameters[k] for k in _DDL_PROPERTIES if k in table.parameters}
    props.update(projection_location(table.parameters, table.location, location))
    lines.append(f"TBLPROPERTIES (\n{_properties(props)}\n)")
    return "\n".join(lines) + ";"
