"""The crawler: list the lake, infer schemas from a sample of files, and record tables and partitions.

Incremental by design: a partition whose file count and total size match what the catalog holds is
not read again, so a daily crawl reads only the new day. Each crawl returns a :class:`CrawlSummary`
of what changed.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from cinelake.catalog import model as m
from cinelake.catalog.backend import BACKENDS, CatalogBackend
from cinelake.catalog.datasets import DataFile, Dataset, find_datasets, list_dataset, pick_sample
from cinelake.catalog.infer import CsvDialect, FileSchema, read_schema
from cinelake.catalog.model import Column, Database, Partition, Table
from cinelake.catalog.tables import build_table
from cinelake.catalog.types import Inferred, inferred_of, merge
from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Zone
from cinelake.lake.lock import held
from cinelake.lake.store import Lake

log = logging.getLogger("cinelake.catalog")

DEFAULT_SAMPLE = 3
CRAWL_LOCK_WAIT = 300.0  # seconds a crawl waits for another crawl of the same local catalog
SCHEMA_CHANGE_POLICIES = ("update", "log")
ProgressCallback = Callable[[str, int, int], None]
"""``progress(table, files_done, files_total)``: called before and while a table's files are read."""


@dataclass(frozen=True)
class SchemaChange:
    table: str
    column: str
    old: str | None  # None: a new column
    new: str
    applied: bool  # False under the "log" policy


@dataclass
class TableChange:
    table: str
    action: str = "unchanged"  # created | updated | unchanged
    location: str = ""
    partitioned: bool = False
    partitions: int = 0
    partitions_added: int = 0
    partitions_updated: int = 0
    partitions_removed: int = 0
    files: int = 0
    files_read: int = 0
    records: int | None = None
    records_exact: bool = True
    size: int = 0
    skipped_files: int = 0
    schema_changes: list[SchemaChange] = field(default_factory=list)


@dataclass
class CrawlSummary:
    database: str
    backend: str
    tables: list[TableChange] = field(default_factory=list)
    database_created: bool = False
    seconds: float = 0.0

    def _count(self, action: str) -> int:
        return sum(1 for t in self.tables if t.action == action)

    @property
    def created(self) -> int:
        return self._count("created")

    @property
    def updated(self) -> int:
        return self._count("updated")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def partitions_added(self) -> int:
        return sum(t.partitions_added for t in self.tables)

    @property
    def partitions_updated(self) -> int:
        return sum(t.partitions_updated for t in self.tables)

    @property
    def partitions_removed(self) -> int:
        return sum(t.partitions_removed for t in self.tables)

    @property
    def files(self) -> int:
        return sum(t.files for t in self.tables)

    @property
    def files_read(self) -> int:
        return sum(t.files_read for t in self.tables)

    @property
    def schema_changes(self) -> list[SchemaChange]:
        return [c for t in self.tables for c in t.schema_changes]

    @property
    def totals(self) -> str:
        """What the crawl changed, in one line (``catalog crawl`` and ``pipeline`` both print it)."""
        return (
            f"{self.created} table(s) created, {self.updated} updated, {self.unchanged} unchanged; "
            f"{self.partitions_added} partition(s) added, {self.partitions_updated} updated, "
            f"{self.partitions_removed} removed; {self.files_read:,} of {self.files:,} file(s) read"
        )

    def table(self, name: str) -> TableChange:
        for change in self.tables:
            if change.table == name:
                return change
        raise KeyError(name)


def parse_zone(zone: Zone | str | None) -> list[Zone]:
    if zone is None:
        return list(Zone)
    if isinstance(zone, Zone):
        return [zone]
    for known in Zone:
        if known.value.lower() == zone.strip().lower():
            return [known]
    raise UsageError(f"unknown zone {zone!r}: use Raw, Trusted or Refined")


def open_backend(
    lake: Lake, backend: str | CatalogBackend = "local", database: str | None = None
) -> CatalogBackend:
    """The catalog backend by name (``local`` in the lake, ``glue`` in AWS), or the given instance."""
    if not isinstance(backend, str):
        return backend
    if database is None:
        from cinelake.config import get_settings

        database = get_settings().catalog_database
    if backend == "local":
        from cinelake.catalog.local import LocalCatalog

        return LocalCatalog(lake, database)
    if backend == "glue":
        from cinelake.catalog.glue import GlueCatalog

        return GlueCatalog(database)
    raise UsageError(f"unknown catalog backend {backend!r}: use {' or '.join(BACKENDS)}")


def crawl(
    lake: Lake,
    *,
    zone: Zone | str | None = None,
    backend: str | CatalogBackend = "local",
    database: str | None = None,
    sample: int | None = DEFAULT_SAMPLE,
    schema_change: str = "update",
    progress: ProgressCallback | None = None,
    workers: int = 8,
    full: bool = False,
) -> CrawlSummary:
    """Crawl the lake (or one zone) into the catalog and return what changed.

    ``sample`` is the number of files read per new or changed partition to infer the schema (None:
    every file); the other files of such a partition are read only to count their records, so the
    counts are exact. ``schema_change`` is ``update`` (merge new columns and wider types into the
    table) or ``log`` (keep the table's schema and only report the difference).
    """
    if schema_change not in SCHEMA_CHANGE_POLICIES:
        raise UsageError(f"unknown schema change policy {schema_change!r}: use update or log")
    if sample is not None and sample < 1:
        raise UsageError("the sample must be at least one file per partition")
    started = time.perf_counter()
    catalog = open_backend(lake, backend, database)
    summary = CrawlSummary(catalog.database, backend if isinstance(backend, str) else type(catalog).__name__)
    with _alone(lake, catalog), ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        summary.database_created = catalog.ensure_database(
            Database(catalog.database, "cinelake data lake", lake.uri(""), {"cinelake.lake": lake.url})
        )
        for dataset in find_datasets(lake, parse_zone(zone)):
            if is_iceberg_table(lake, dataset.rel):
                continue  # the Iceberg catalog describes it (cinelake.tables), and Glue holds it as such
            change = _crawl_dataset(
                lake, catalog, list_dataset(lake, dataset), pool, sample, schema_change, progress, full
            )
            if change is not None:
                summary.tables.append(change)
    summary.seconds = time.perf_counter() - started
    return summary


def is_iceberg_table(lake: Lake, rel: str) -> bool:
    """True for a folder holding an Apache Iceberg table (``metadata/*.metadata.json``): the Trusted
    and Refined tables, which their own catalog describes; the crawler catalogs plain files only."""
    return any(f.endswith(".metadata.json") for f in lake.list_files(f"{rel}/metadata"))


@contextlib.contextmanager
def _alone(lake: Lake, catalog: CatalogBackend) -> Iterator[None]:
    """One crawl at a time of a catalog kept in a local lake: a second one waits for the first.

    (A Spark job updates the catalog when it ends; waiting beats failing a job whose data is written.)
    Glue serialises its own updates, and an S3 lake's catalog is left to the one writer of that lake.
    """
    from cinelake.catalog.local import LocalCatalog

    if not (isinstance(catalog, LocalCatalog) and lake.is_local):
        yield
        return
    path = layout.catalog_lock_file(catalog.database)
    with held(lake, f"crawl of {catalog.database}", path=path, wait=CRAWL_LOCK_WAIT):
        lake.delete_temp_files(catalog.root)  # what a killed crawl left half written
        yield


@dataclass
class _PartitionRead:
    values: tuple[str, ...]
    files: list[DataFile]
    schema: FileSchema  # the sample's columns, every file's records


def _crawl_dataset(
    lake: Lake,
    catalog: CatalogBackend,
    dataset: Dataset,
    pool: ThreadPoolExecutor,
    sample: int | None,
    policy: str,
    progress: ProgressCallback | None,
    full: bool = False,
) -> TableChange | None:
    if not dataset.partitions:
        if dataset.skipped:
            log.warning("%s: no data files to catalog", dataset.rel)
        return None
    existing = catalog.get_table(dataset.table)
    previous = {p.values: p for p in catalog.get_partitions(dataset.table)} if existing else {}
    known = previous
    stale: list[tuple[str, ...]] = []
    if existing is not None and (existing.layout, tuple(k.name for k in existing.partition_keys)) != (
        dataset.layout,
        dataset.keys,
    ):
        # The folder layout changed: the old partitions go, the new ones are read afresh.
        known, stale = {}, list(previous)
    change = TableChange(dataset.table, skipped_files=len(dataset.skipped))
    location = lake.uri(dataset.rel).rstrip("/") + "/"
    change.location = location

    to_read: dict[tuple[str, ...], list[DataFile]] = {}
    for values, files in dataset.partitions.items():
        if not full and _unchanged(values, files, known, existing, dataset):
            continue
        to_read[values] = files
    reads = _read_partitions(lake, dataset, to_read, pool, sample, progress)

    folded = FileSchema()
    for read in reads:
        folded.fold(read.schema)
    columns, changes = _merge_columns(dataset, existing, folded.columns, policy)
    change.schema_changes = changes
    for item in changes:
        verb = "added" if item.old is None else f"changed from {item.old} to"
        note = "" if item.applied else " (logged only)"
        log.warning("%s: column %s %s %s%s", dataset.table, item.column, verb, item.new, note)

    dialect = folded.dialect or _dialect_of(existing)
    partitions, stats = _partition_stats(lake, dataset, reads, known, existing)
    table = build_table(
        dataset,
        catalog.database,
        location,
        columns,
        dialect,
        stats,
        sorted(dataset.partitions) if dataset.keys else [],
    )

    added = [p for p in partitions if p.values not in known] if dataset.keys else []
    updated = [p for p in partitions if p.values in known and p != known[p.values]] if dataset.keys else []
    removed = stale or [v for v in known if v not in dataset.partitions]
    change.partitioned = bool(dataset.keys)
    change.partitions = len(dataset.partitions) if dataset.keys else 0
    change.partitions_added, change.partitions_updated, change.partitions_removed = (
        len(added),
        len(updated),
        len(removed),
    )
    change.files = len(dataset.files)
    change.files_read = sum(len(r.files) for r in reads)
    change.size = sum(f.size for f in dataset.files)
    change.records = int(stats[m.P_RECORD_COUNT]) if m.P_RECORD_COUNT in stats else None
    change.records_exact = stats.get(m.P_RECORD_COUNT_EXACT) == "true"

    if existing is None:
        catalog.put_table(table, create=True)
        change.action = "created"
    elif table.to_glue() != existing.to_glue():
        catalog.put_table(table, create=False)
        change.action = "updated"
    if added or updated or removed:
        catalog.apply_partitions(table, add=added, update=updated, delete=removed)
        change.action = "created" if existing is None else "updated"
    return change


def _unchanged(
    values: tuple[str, ...],
    files: list[DataFile],
    known: dict[tuple[str, ...], Partition],
    existing: Table | None,
    dataset: Dataset,
) -> bool:
    count, size = len(files), sum(f.size for f in files)
    if dataset.keys:
        part = known.get(values)
        return part is not None and part.num_files == count and part.total_size == size
    if existing is None or existing.layout != dataset.layout:
        return False
    params = existing.parameters
    return params.get(m.P_OBJECTS) == str(count) and params.get(m.P_SIZE) == str(size)


def _read_partitions(
    lake: Lake,
    dataset: Dataset,
    to_read: dict[tuple[str, ...], list[DataFile]],
    pool: ThreadPoolExecutor,
    sample: int | None,
    progress: ProgressCallback | None,
) -> list[_PartitionRead]:
    plan = [(values, files, pick_sample(files, sample)) for values, files in sorted(to_read.items())]
    # The sample gives the schema; every new file gives its record count, so the counts are exact:
    # Parquet from its footer, a text file by reading it without inferring types (the crawl reads a
    # partition only when it is new or changed, so each file is counted once).
    total = sum(len(files) for _, files, _ in plan)
    classification = dataset.classification
    done = 0
    if progress is not None:
        progress(dataset.table, 0, total)
    reads = []
    for values, files, picked in plan:
        chosen = {f.rel for f in picked}
        schema = FileSchema()
        for result in pool.map(lambda f: read_schema(lake, f.rel, dataset.classification), picked):
            schema.fold(result)
            done += 1
            if progress is not None:
                progress(dataset.table, done, total)
        rest = [f for f in files if f.rel not in chosen]
        for result in pool.map(lambda f: read_schema(lake, f.rel, classification, with_columns=False), rest):
            schema.records += result.records
            done += 1
            if progress is not None:
                progress(dataset.table, done, total)
        reads.append(_PartitionRead(values, files, schema))
    return reads


def _merge_columns(
    dataset: Dataset, existing: Table | None, seen: dict[str, Inferred], policy: str
) -> tuple[tuple[Column, ...], list[SchemaChange]]:
    keys = set(dataset.keys)
    dropped = [name for name in seen if name in keys]
    if dropped:
        log.warning("%s: data column(s) %s shadowed by partition keys", dataset.table, ", ".join(dropped))
    old = {c.name: c.type for c in existing.columns} if existing is not None else {}
    shapes: dict[str, Inferred] = {name: inferred_of(kind) for name, kind in old.items()}
    for name, shape in seen.items():
        if name in keys:
            continue
        shapes[name] = merge(shapes[name], shape) if name in shapes else shape
    merged = tuple(Column(name, shape.glue_type()) for name, shape in shapes.items())
    if existing is None:
        return merged, []
    apply = policy == "update"
    changes = [
        SchemaChange(dataset.table, c.name, old.get(c.name), c.type, apply)
        for c in merged
        if old.get(c.name) != c.type
    ]
    return (merged if apply else existing.columns), changes


def _dialect_of(existing: Table | None) -> CsvDialect | None:
    if existing is None or existing.classification != "csv":
        return None
    params = existing.parameters
    return CsvDialect(params.get("delimiter", "|"), params.get("areColumnsQuoted") == "true")


def _partition_stats(
    lake: Lake,
    dataset: Dataset,
    reads: Iterable[_PartitionRead],
    known: dict[tuple[str, ...], Partition],
    existing: Table | None,
) -> tuple[list[Partition], dict[str, str]]:
    """Partitions with their stats, and the table's totals (records exact unless a partition of an
    older crawl recorded an estimate)."""
    fresh = {r.values: r for r in reads}
    partitions: list[Partition] = []
    records, exact = 0, True
    for values, files in sorted(dataset.partitions.items()):
        size = sum(f.size for f in files)
        read = fresh.get(values)
        if read is not None:
            count, is_exact = read.schema.records, True
        elif dataset.keys:
            part = known[values]
            count = part.record_count or 0
            is_exact = part.parameters.get(m.P_RECORD_COUNT_EXACT) == "true"
        else:
            assert existing is not None
            count = existing.record_count or 0
            is_exact = existing.parameters.get(m.P_RECORD_COUNT_EXACT) == "true"
        records += count
        exact = exact and is_exact
        if dataset.keys:
            params = {
                m.P_NUM_FILES: str(len(files)),
                m.P_TOTAL_SIZE: str(size),
                m.P_RECORD_COUNT: str(count),
                m.P_RECORD_COUNT_EXACT: str(is_exact).lower(),
            }
            partitions.append(
                Partition(values, lake.uri(dataset.partition_rel(values)).rstrip("/") + "/", params)
            )
    files = dataset.files
    stats = {
        m.P_OBJECTS: str(len(files)),
        m.P_SIZE: str(sum(f.size for f in files)),
        m.P_RECORD_COUNT: str(records),
        m.P_RECORD_COUNT_EXACT: str(exact).lower(),
    }
    if records:
        stats["averageRecordSize"] = str(round(sum(f.size for f in files) / records))
    return partitions, stats
