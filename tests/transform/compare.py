"""Compare two lakes' Trusted and Refined Iceberg tables: schemas (names, types), rows (in any order)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from cinelake.lake.store import Lake


def _table(lake: Lake, rel: str) -> pa.Table:
    """The rows of the Iceberg table in folder ``rel`` at its current snapshot (through pyiceberg)."""
    from cinelake.tables.registry import ALL_TABLES
    from cinelake.tables.store import load

    found = load(lake, next(t for t in ALL_TABLES if t.rel == rel))
    assert found is not None, rel
    return found.scan().to_arrow()


def datasets(lake: Lake) -> list[str]:
    """The folder of every Trusted and Refined Iceberg table the lake's catalog holds."""
    from cinelake.tables.reading import existing_tables

    return sorted(table.rel for table, _ in existing_tables(lake))


def _nullable(kind: pa.DataType) -> pa.DataType:
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return pa.list_(_nullable(kind.value_type))
    if pa.types.is_struct(kind):
        return pa.struct([pa.field(f.name, _nullable(f.type)) for f in kind])
    return kind


def schema(lake: Lake, rel: str) -> pa.Schema:
    """The table's schema: names and types. Metadata and nullability are left out: Spark writes its
    own metadata keys and marks the elements of arrays it built as required, which no reader of the
    lake (Athena, Glue, DuckDB, Spark) distinguishes."""
    return pa.schema([pa.field(f.name, _nullable(f.type)) for f in _table(lake, rel).schema])


def rows(lake: Lake, rel: str) -> list[str]:
    """Every row as a sorted list of reprs; lineage paths are given relative to the lake
    (``file:/root/Raw/...`` and ``s3://bucket/Raw/...`` alike)."""
    root = lake.uri().rstrip("/")
    found: list[str] = []
    for row in _table(lake, rel).to_pylist():
        if row.get("source_file"):
            path = str(row["source_file"]).removeprefix("file:")
            row["source_file"] = path.replace(root, "<lake>")
        found.append(repr(sorted(row.items())))
    return sorted(found)


def differences(left: Lake, right: Lake) -> list[str]:
    """What differs between two lakes' Trusted and Refined data (empty when they are equal)."""
    problems: list[str] = []
    names = datasets(left)
    if names != datasets(right):
        problems.append(f"datasets differ: {names} vs {datasets(right)}")
    for rel in sorted(set(names) & set(datasets(right))):
        a, b = schema(left, rel), schema(right, rel)
        if not a.equals(b):
            problems.append(f"{rel}: schemas differ:\n{a}\nvs\n{b}")
            continue
        ra, rb = rows(left, rel), rows(right, rel)
        if ra != rb:
            only_a = sorted(set(ra) - set(rb))[:2]
            only_b = sorted(set(rb) - set(ra))[:2]
            problems.append(f"{rel}: rows differ ({len(ra)} vs {len(rb)}): {only_a} vs {only_b}")
    return problems


def show(value: Any) -> str:
    return "\n".join(value) if isinstance(value, list) else str(value)


if __name__ == "__main__":
    import sys

    print(show(differences(Lake(str(Path(sys.argv[1]))), Lake(str(Path(sys.argv[2]))))) or "equal")
