"""Human-readable views of the catalog: table listings, one table's schema, partitions, crawl summaries.

Each returns a ``rich`` renderable; print it with a ``rich.console.Console``.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.table import Table as RichTable
from rich.text import Text

from cinelake.catalog.crawler import CrawlSummary
from cinelake.catalog.model import Partition, Table


def _count(value: int | None, exact: bool = True) -> str:
    if value is None:
        return "-"
    return f"{value:,}" if exact else f"~{value:,}"


def _size(num: int) -> str:
    size = float(num)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{num} B"


def format_tables(tables: Sequence[Table], *, title: str | None = None) -> RichTable:
    """One row per table: name, format, partition keys, partitions, files, records and size."""
    grid = RichTable(title=title, title_justify="left")
    for name, justify in (
        ("table", "left"),
        ("format", "left"),
        ("partitioned by", "left"),
        ("files", "right"),
        ("records", "right"),
        ("size", "right"),
    ):
        grid.add_column(name, justify=justify)  # type: ignore[arg-type]
    for table in tables:
        exact = table.parameters.get("cinelake.recordCountExact", "true") == "true"
        grid.add_row(
            table.name,
            table.classification,
            ", ".join(k.name for k in table.partition_keys) or "-",
            _count(int(table.parameters.get("objectCount", "0"))),
            _count(table.record_count, exact),
            _size(table.size),
        )
    return grid


def format_table(table: Table) -> Group:
    """A table's location, format, parameters of note and its columns with their types."""
    head = Text()
    head.append(f"{table.database}.{table.name}\n", style="bold")
    head.append(f"location: {table.location}\n")
    head.append(f"format:   {table.classification} ({table.storage.serde.serialization_library})\n")
    exact = table.parameters.get("cinelake.recordCountExact", "true") == "true"
    head.append(
        f"records:  {_count(table.record_count, exact)}  files: {table.parameters.get('objectCount', '0')}"
    )
    head.append(f"  size: {_size(table.size)}")
    grid = RichTable(show_header=True)
    grid.add_column("column")
    grid.add_column("type", overflow="fold")
    for column in table.columns:
        grid.add_row(column.name, column.type)
    for key in table.partition_keys:
        grid.add_row(f"{key.name} (partition)", key.type)
    return Group(head, grid)


def format_partitions(table: Table, partitions: Sequence[Partition]) -> RichTable:
    grid = RichTable()
    for key in table.partition_keys:
        grid.add_column(key.name)
    for name in ("files", "records", "size"):
        grid.add_column(name, justify="right")
    grid.add_column("location", overflow="fold")
    for part in partitions:
        exact = part.parameters.get("cinelake.recordCountExact", "true") == "true"
        grid.add_row(
            *part.values,
            _count(part.num_files),
            _count(part.record_count, exact),
            _size(part.total_size),
            part.location,
        )
    return grid


def format_summary(summary: CrawlSummary) -> Group:
    """What a crawl changed: per table, then the totals and any schema change."""
    grid = RichTable(title=f"catalog {summary.database} ({summary.backend})", title_justify="left")
    for name in ("table", "action", "partitions (+new ~changed -gone)", "files read", "records"):
        grid.add_column(name, justify="left" if name in ("table", "action") else "right")
    for t in summary.tables:
        grid.add_row(
            t.table,
            t.action,
            f"{t.partitions:,} (+{t.partitions_added} ~{t.partitions_updated} -{t.partitions_removed})"
            if t.partitioned or t.partitions_removed
            else "-",
            f"{t.files_read:,} of {t.files:,}",
            _count(t.records, t.records_exact),
        )
    lines = Text()
    lines.append(f"{summary.totals} in {summary.seconds:.2f}s")
    for change in summary.schema_changes:
        what = "new column" if change.old is None else f"{change.old} -> "
        verb = "" if change.applied else " (logged, not applied)"
        lines.append(f"\nschema change {change.table}.{change.column}: {what} {change.new}{verb}")
    return Group(grid, lines)
