"""Athena DDL (``CREATE EXTERNAL TABLE``) of a catalog table.

JSON Lines use the OpenX JSON SerDe, pipe-separated text LazySimpleSerDe with ``\\N`` nulls, comma CSV
the OpenCSVSerde, Parquet its Hive SerDe; the ``YYYY/MM/DD`` and ``dt=`` layouts get partition
projection, so Athena sees new days without ``MSCK REPAIR TABLE``.
"""

from __future__ import annotations

from cinelake.catalog.model import Table
from cinelake.catalog.tables import P_PATH, projection_location
from cinelake.catalog.types import TypeNode, parse_type

# Athena's reserved DDL keywords: as a column or struct field name they must be in backticks.
_RESERVED_WORDS = """
    ALL ALTER AND ARRAY AS AUTHORIZATION BETWEEN BIGINT BINARY BOOLEAN BOTH BY CASE CASHE CAST CHAR
    COLUMN CONF CONSTRAINT COMMIT CREATE CROSS CUBE CURRENT CURRENT_DATE CURRENT_TIMESTAMP CURSOR
    DATABASE DATE DAYOFWEEK DECIMAL DELETE DESCRIBE DISTINCT DIV DOUBLE DROP ELSE END EXCHANGE EXISTS
    EXTENDED EXTERNAL EXTRACT FALSE FETCH FLOAT FLOOR FOLLOWING FOR FOREIGN FROM FULL FUNCTION GRANT
    GROUP GROUPING HAVING IF IMPORT IN INNER INSERT INT INTEGER INTERSECT INTERVAL INTO IS JOIN LATERAL
    LEFT LESS LIKE LOCAL MACRO MAP MORE NONE NOT NULL NUMERIC OF ON ONLY OR ORDER OUT OUTER OVER
    PARTIALSCAN PARTITION PERCENT PRECEDING PRECISION PRESERVE PRIMARY PROCEDURE RANGE READS REDUCE
    REGEXP REFERENCES REVOKE RIGHT RLIKE ROLLBACK ROLLUP ROW ROWS SELECT SET SMALLINT START TABLE
    TABLESAMPLE THEN TIME TIMESTAMP TO TRANSFORM TRIGGER TRUE TRUNCATE UNBOUNDED UNION UNIQUEJOIN UPDATE
    USER USING UTC_TIMESTAMP VALUES VARCHAR VIEWS WHEN WHERE WINDOW WITH
"""
RESERVED = frozenset(_RESERVED_WORDS.split())

# Table properties that belong in the DDL (the rest are crawler statistics and bookkeeping).
_DDL_PROPERTIES = ("classification", "compressionType", "typeOfData", "skip.header.line.count")


def quote_string(value: str) -> str:
    """A HiveQL string literal: backslashes and quotes escaped (``\\N`` is written ``'\\\\N'``)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_name(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _field(name: str) -> str:
    return quote_name(name) if name.upper() in RESERVED or not name.replace("_", "a").isalnum() else name


def ddl_type(glue: str | TypeNode) -> str:
    """A Glue type for the DDL: struct field names that are reserved words (``order``) in backticks."""
    node = parse_type(glue) if isinstance(glue, str) else glue
    if node.name == "struct":
        return "struct<" + ",".join(f"{_field(n)}:{ddl_type(c)}" for n, c in node.children) + ">"
    if node.name == "array":
        return f"array<{ddl_type(node.children[0][1])}>"
    if node.name == "map":
        return f"map<{ddl_type(node.children[0][1])},{ddl_type(node.children[1][1])}>"
    return f"{node.name}({node.args})" if node.args else node.name


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
    lines.append(",\n".join(f"  {quote_name(c.name)} {ddl_type(c.type)}" for c in table.columns))
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
