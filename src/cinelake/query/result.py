"""A query's result and its three output formats: a table, CSV and a JSON array of row objects."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import orjson

FORMATS = ("table", "csv", "json")


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    engine: str = "duckdb"
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)  # engine specifics (Athena query id, bytes scanned)

    def records(self) -> list[dict[str, Any]]:
        """The rows as dictionaries keyed by column name."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def scalar(self) -> Any:
        """The single value of a one-row, one-column result."""
        return self.rows[0][0] if self.rows and self.rows[0] else None


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def to_json(result: QueryResult) -> str:
    return orjson.dumps(result.records(), default=_plain, option=orjson.OPT_INDENT_2).decode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return orjson.dumps(value, default=_plain).decode()
    return str(value)


def to_csv(result: QueryResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([_cell(v) for v in row] for row in result.rows)
    return out.getvalue()


# A column narrower than this (or than its name) makes a table hard to read: text folds into slices.
READABLE_COLUMN = 24


def fits_as_table(result: QueryResult, width: int) -> bool:
    """Whether every column gets its name's width, or at least READABLE_COLUMN characters for its
    longest value, within ``width`` (each column adds 3 characters of border and padding)."""
    needed = 1
    for index, name in enumerate(result.columns):
        longest = max((len(_shown(row[index])) for row in result.rows), default=0)
        needed += max(len(name), min(longest, READABLE_COLUMN)) + 3
    return needed <= width


def to_rich(result: QueryResult, width: int | None = None) -> Any:
    """A table, or, when it would not fit ``width`` readably, one block of ``column  value`` lines
    per row (the layout of psql's ``\\x``)."""
    if width is not None and result.columns and not fits_as_table(result, width):
        return _records(result)
    from rich.table import Table

    grid = Table()
    for index, name in enumerate(result.columns):
        values = [row[index] for row in result.rows if row[index] is not None]
        numeric = bool(values) and all(
            isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in values
        )
        grid.add_column(name, overflow="fold", justify="right" if numeric else "left")
    for row in result.rows:
        grid.add_row(*(_shown(v) for v in row))
    return grid


def _shown(value: Any) -> str:
    return "NULL" if value is None else _cell(value)


def _records(result: QueryResult) -> Any:
    from rich.console import Group
    from rich.rule import Rule
    from rich.table import Table

    blocks: list[Any] = []
    for number, row in enumerate(result.rows, start=1):
        blocks.append(Rule(f"row {number}", align="left", style="dim"))
        block = Table.grid(padding=(0, 2))
        block.add_column(style="bold", no_wrap=True)
        block.add_column(overflow="fold")
        for name, value in zip(result.columns, row, strict=True):
            block.add_row(name, _shown(value))
        blocks.append(block)
    if not result.rows:
        blocks.append(f"(no rows; columns: {', '.join(result.columns)})")
    return Group(*blocks)
