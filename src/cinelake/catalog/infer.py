"""Schema inference from the files of a dataset: JSON Lines, delimited text (CSV) and Parquet.

Each reader returns a :class:`FileSchema`: the columns it saw (as an :class:`Inferred` tree per column,
so schemas of many files fold into one) and the records it counted.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import orjson

from cinelake.catalog.types import Inferred, merge, merge_text_types, observe, text_type
from cinelake.errors import InputFileError
from cinelake.lake.store import Lake

CSV_NULL = "\\N"
_DELIMITERS = ("|", ",", "\t", ";")


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str
    quoted: bool  # fields may be wrapped in double quotes (comma files); pipe files have no quoting


@dataclass
class FileSchema:
    """What one or more files say about their records."""

    columns: dict[str, Inferred] = field(default_factory=dict)
    records: int = 0
    bad_records: int = 0
    bytes_read: int = 0
    dialect: CsvDialect | None = None

    def fold(self, other: FileSchema) -> FileSchema:
        for name, shape in other.columns.items():
            self.columns[name] = merge(self.columns[name], shape) if name in self.columns else shape
        self.records += other.records
        self.bad_records += other.bad_records
        self.bytes_read += other.bytes_read
        self.dialect = self.dialect or other.dialect
        return self


def json_lines_schema(data: bytes, *, with_columns: bool = True) -> FileSchema:
    """Fold every JSON object of a JSON Lines file (blank lines skipped, unparseable ones counted).

    Without ``with_columns``, only the records counted, as the non-blank lines, unparsed: parsing is
    seven times the cost of counting, and the lake's JSON Lines files are written one object a line.
    """
    if not with_columns:
        return FileSchema(records=sum(1 for line in data.splitlines() if line.strip()), bytes_read=len(data))
    schema = FileSchema(bytes_read=len(data))
    root = Inferred("struct")
    for line in data.splitlines():
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            schema.bad_records += 1
            continue
        if not isinstance(record, dict):
            schema.bad_records += 1
            continue
        schema.records += 1
        root = observe(root, record)
    schema.columns = dict(root.fields) if root.kind == "struct" else {}
    return schema


def sniff_dialect(header: str) -> CsvDialect:
    """The delimiter of a header line: the most frequent of ``|``, ``,``, tab and ``;``."""
    counts = {d: header.count(d) for d in _DELIMITERS}
    delimiter = max(_DELIMITERS, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        delimiter = ","
    return CsvDialect(delimiter, quoted=delimiter != "|")


def csv_schema(data: bytes, name: str = "file", *, with_columns: bool = True) -> FileSchema:
    """Columns from the header (lower case, as Glue and Athena name them) and types from the cells;
    without ``with_columns`` only the records counted (the cells' types are not looked at).

    ``\\N`` and empty cells are nulls; a column with nothing but nulls is a ``string``.
    """
    text = data.decode("utf-8-sig", errors="replace")
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first.strip():
        raise InputFileError(name, "a CSV file without a header line")
    dialect = sniff_dialect(first)
    reader = csv.reader(
        io.StringIO(text),
        delimiter=dialect.delimiter,
        quoting=csv.QUOTE_MINIMAL if dialect.quoted else csv.QUOTE_NONE,
    )
    header = [h.strip().lower() or f"col{i}" for i, h in enumerate(next(reader))]
    header = _unique(header)
    types: list[str | None] = [None] * len(header)
    schema = FileSchema(bytes_read=len(data), dialect=dialect)
    for row in reader:
        if not row or row == [""]:
            continue
        if len(row) != len(header):
            schema.bad_records += 1
            continue
        schema.records += 1
        if not with_columns:
            continue
        for i, cell in enumerate(row):
            if cell == CSV_NULL or cell == "":
                continue
            types[i] = merge_text_types(types[i], text_type(cell))
    for column, kind in zip(header, types, strict=True):
        schema.columns[column] = Inferred("scalar", kind or "string")
    return schema


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def parquet_schema(lake: Lake, rel: str, *, with_columns: bool = True) -> FileSchema:
    """Columns and row count from a Parquet footer (the data pages are never read)."""
    import pyarrow.parquet as pq

    from cinelake.catalog.types import arrow_type, inferred_of

    try:
        with lake.open_read(rel) as handle:
            meta = pq.ParquetFile(handle)
            rows = meta.metadata.num_rows
            arrow = meta.schema_arrow if with_columns else None
            size = meta.metadata.serialized_size
    except (OSError, ValueError) as exc:
        raise InputFileError(lake.uri(rel), f"not a readable Parquet file: {exc}") from None
    schema = FileSchema(records=rows, bytes_read=size)
    if arrow is not None:
        for fld in arrow:
            schema.columns[fld.name] = inferred_of(arrow_type(fld.type))
    return schema


def read_schema(lake: Lake, rel: str, classification: str, *, with_columns: bool = True) -> FileSchema:
    """The schema of one file of a dataset (without ``with_columns``: its record count only)."""
    if classification == "parquet":
        return parquet_schema(lake, rel, with_columns=with_columns)
    data = lake.read_bytes(rel)
    if classification == "json":
        return json_lines_schema(data, with_columns=with_columns)
    return csv_schema(data, lake.uri(rel), with_columns=with_columns)
