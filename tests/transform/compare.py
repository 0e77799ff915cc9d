"""Compare two lakes' Trusted and Refined Parquet: schemas (names, types) and rows, order-independent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cinelake.lake.store import Lake


def _files(lake: Lake, rel: str) -> list[str]:
    return [f for f in lake.list_files(rel) if f.endswith(".parquet")]


def datasets(lake: Lake) -> list[str]:
    """Every folder of Parquet under Trusted/<Origin>/PARQUET/<Spec> and Refined/<table>."""
    found: set[str] = set()
    for rel in _files(lake, "Trusted") + _files(lake, "Refined"):
        parts = rel.split("/")
        found.add("/".join(parts[:4]) if parts[0] == "Trusted" else "/".join(parts[:2]))
    return sorted(found)


def _nullable(kind: pa.DataType) -> pa.DataType:
    if pa.types.is_list(kind):
        return pa.list_(_nullable(kind.value_type))
    if pa.types.is_struct(kind):
        return pa.struct([pa.field(f.name, _nullable(f.type)) for f in kind])
    return kind


def schema(lake: Lake, rel: str) -> pa.Schema:
    """The schema of a dataset's first file: names and types. Metadata and nullability are left out:
    Spark writes its own metadata keys and marks the elements of arrays it built as required, which
    no reader of the lake (Athena, Glue, DuckDB, Spark) distinguishes."""
    with lake.open_read(_files(lake, rel)[0]) as handle:
        first = pq.read_schema(handle)
    return pa.schema([pa.field(f.name, _nullable(f.type)) for f in first])


def rows(lake: Lake, rel: str) -> list[str]:
    """Every row (with its ``dt`` partition for Trusted) as a sorted list of reprs; lineage paths
    are given relative to the lake (``file:/root/Raw/...`` and ``s3://bucket/Raw/...`` alike)."""
    root = lake.uri().rstrip("/")
    found: list[str] = []
    for file in _files(lake, rel):
        dt = next((p[3:] for p in file.split("/") if p.startswith("dt=")), None)
        with lake.open_read(file) as handle:
            table = pq.read_table(handle)
        for row in table.to_pylist():
            if row.get("source_file"):
                path = str(row["source_file"]).removeprefix("file:")
                row["source_file"] = path.replace(root, "<lake>")
            found.append(repr(sorted({**row, "dt": dt}.items())))
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
