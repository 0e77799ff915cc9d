"""How fresh the lake's data is: the ingestion dates and record counts of each dataset per zone.

Raw datasets are dated by their ``YYYY/MM/DD`` folders, Trusted ones by their ``dt=`` partitions;
Refined tables are counted. Trusted and Refined are read from their Iceberg tables' current
snapshots (the files of replaced snapshots still in the folders are not counted). The report shows
this next to the answers so a reader knows what they describe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from cinelake.errors import CinelakeError
from cinelake.lake import layout
from cinelake.lake.layout import Format, Origin, Zone
from cinelake.lake.store import Lake


@dataclass(frozen=True)
class DatasetFreshness:
    zone: str
    dataset: str  # lake-relative folder
    dates: tuple[str, ...]  # ISO ingestion dates present, oldest first
    files: int
    records: int | None  # None when a file could not be counted

    @property
    def latest(self) -> str | None:
        return self.dates[-1] if self.dates else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "zone": self.zone,
            "dataset": self.dataset,
            "dates": list(self.dates),
            "latest": self.latest,
            "files": self.files,
            "records": self.records,
        }


@dataclass(frozen=True)
class Freshness:
    lake: str
    checked_at: str
    datasets: tuple[DatasetFreshness, ...] = field(default=())
    # When the lake's TMDB data came from the packaged snapshot: its values' own date per kind.
    vintage: dict[str, dict[str, str]] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "lake": self.lake,
            "checked_at": self.checked_at,
            "datasets": [d.to_dict() for d in self.datasets],
            "vintage": self.vintage,
        }


def data_vintage(lake: Lake) -> dict[str, dict[str, str]] | None:
    """The vintage a lake filled from the packaged snapshot records (``cinelake demo`` writes it)."""
    try:
        found: dict[str, dict[str, str]] = orjson.loads(lake.read_bytes(layout.tmdb_data_vintage()))
    except (CinelakeError, orjson.JSONDecodeError):
        return None
    return found


def vintage_sentence(vintage: dict[str, dict[str, str]] | None) -> str | None:
    """``TMDB values of the packaged snapshot, as of about 2017-08 (films) and 2019-05 (series)``."""
    if not vintage:
        return None
    names = {"movies": "films", "series": "series"}
    parts = [f"{entry['as_of'][:7]} ({names.get(kind, kind)})" for kind, entry in sorted(vintage.items())]
    return "TMDB values of the packaged offline snapshot, as of about " + " and ".join(parts)


def freshness(lake: Lake) -> Freshness:
    """Every dataset of the Raw and Trusted zones and every Refined table, with dates and counts."""
    found: list[DatasetFreshness] = []
    for origin, fmt in ((Origin.LOCAL, Format.CSV), (Origin.TMDB, Format.JSON)):
        base = f"{Zone.RAW.value}/{origin.value}/{fmt.value}"
        for spec in lake.list_dirs(base):
            found.append(_raw_dataset(lake, layout.dataset_dir(Zone.RAW, origin, fmt, spec), fmt))
    for origin in (Origin.LOCAL, Origin.TMDB):
        base = f"{Zone.TRUSTED.value}/{origin.value}/{Format.PARQUET.value}"
        for spec in lake.list_dirs(base):
            found.append(_parquet_dataset(lake, layout.trusted_dir(origin, spec), Zone.TRUSTED))
    for table in lake.list_dirs(layout.refined_dir()):
        try:
            path = layout.refined_table(table)
        except CinelakeError:
            continue
        found.append(_parquet_dataset(lake, path, Zone.REFINED))
    stamp = datetime.now(UTC).replace(microsecond=0).isoformat()
    datasets = tuple(d for d in found if d.files)
    return Freshness(lake=lake.url, checked_at=stamp, datasets=datasets, vintage=data_vintage(lake))


def _raw_dataset(lake: Lake, folder: str, fmt: Format) -> DatasetFreshness:
    dates: set[str] = set()
    files = 0
    records: int | None = 0
    for rel in lake.list_files(folder):
        try:
            day = layout.parse_raw_file(rel).day
        except CinelakeError:
            continue
        files += 1
        dates.add(day.isoformat())
        count = _count_json_lines(lake, rel) if fmt == Format.JSON else _count_csv_rows(lake, rel)
        records = None if records is None or count is None else records + count
    return DatasetFreshness(Zone.RAW.value, folder, tuple(sorted(dates)), files, records)


def _parquet_dataset(lake: Lake, folder: str, zone: Zone) -> DatasetFreshness:
    from cinelake.tables.reading import snapshot_facts
    from cinelake.tables.registry import ALL_TABLES

    table = next((t for t in ALL_TABLES if t.rel == folder), None)
    current = snapshot_facts(lake, table) if table is not None else None
    if current is not None:
        files, rows, days = current
        return DatasetFreshness(zone.value, folder, days, files, rows)
    dates: set[str] = set()
    files = 0
    records: int | None = 0
    for rel in lake.list_files(folder):  # plain Parquet, not (yet) an Iceberg table
        if not rel.endswith(".parquet"):
            continue
        files += 1
        day = layout.partition_day(rel)
        if day:
            dates.add(day)
        count = _count_parquet_rows(lake, rel)
        records = None if records is None or count is None else records + count
    return DatasetFreshness(zone.value, folder, tuple(sorted(dates)), files, records)


def _count_json_lines(lake: Lake, rel: str) -> int | None:
    try:
        with lake.open_read(rel) as handle:
            return sum(1 for line in handle if line.strip())
    except CinelakeError:
        return None


def _count_csv_rows(lake: Lake, rel: str) -> int | None:
    """Data rows of a CSV (its header left out), parsed so quoted line breaks count once."""
    import csv
    import io

    try:
        with lake.open_read(rel) as handle:
            text = io.TextIOWrapper(handle, encoding="utf-8", errors="replace", newline="")
            header = text.readline()
            if not header:
                return 0
            delimiter = max("|,;\t", key=header.count)
            return sum(1 for row in csv.reader(text, delimiter=delimiter) if row)
    except (CinelakeError, csv.Error):
        return None


def _count_parquet_rows(lake: Lake, rel: str) -> int | None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # the report's Lambda ships DuckDB, not pyarrow (Lambda's 250 MB limit)
        return _count_parquet_rows_duckdb(lake, rel)

    try:
        with lake.open_read(rel) as handle:
            return int(pq.ParquetFile(handle).metadata.num_rows)
    except (CinelakeError, pa.ArrowException, OSError):
        return None


def _count_parquet_rows_duckdb(lake: Lake, rel: str) -> int | None:
    """The row count from the file's footer, read by DuckDB."""
    import duckdb

    from cinelake.analysis.loader import duckdb_for

    uri = lake.uri(rel).replace("'", "''")
    try:
        with duckdb_for(lake) as con:
            rows = con.sql(f"SELECT sum(num_rows) FROM parquet_file_metadata('{uri}')").fetchall()
    except (CinelakeError, duckdb.Error, OSError):
        return None
    return int(rows[0][0]) if rows and rows[0][0] is not None else None
