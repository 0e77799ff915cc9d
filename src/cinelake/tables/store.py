"""The one commit of a Trusted or Refined table: Parquet files an engine wrote become one Iceberg snapshot.

Both engines write plain Parquet into a staging folder (DuckDB: a temp folder, or a hidden folder in
a folder lake; Spark: a hidden folder of the lake); :func:`place` moves the files into the table's
folder (``dt=YYYY-MM-DD/`` kept for partitioned tables) and :func:`commit_files` registers them and
removes the files they replace in one snapshot (an Iceberg *overwrite*): the partitions written for
a Trusted day or the history table's days, everything for the other Refined tables. Until the
catalog's pointer moves, a reader sees the previous snapshot whole; after, the new one whole. Files
of a write killed before its commit belong to no snapshot; ``cinelake tables maintain`` deletes them.

Each snapshot's summary records what the table was built from: ``cinelake.raw-sources`` maps every
Trusted day to a fingerprint of its Raw file names and sizes (carried from snapshot to snapshot, so
the current one answers "is this day up to date?"), ``cinelake.raw-files.<day>`` lists the Raw files
of each day the commit wrote, and ``cinelake.day`` the lake's collection day (the latest ``dt``) the
snapshot stands for, which ``--as-of DAY`` looks up.

A commit that finds the table moved on since it started (another transform committed first: SQLite
and Glue both refuse a stale commit) is redone on the new snapshot; after a few tries it stops with
one line.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import json
import os
import shutil
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from cinelake.errors import LakeError
from cinelake.lake.store import Lake
from cinelake.tables.catalog import ICEBERG_DB, backend_for, held_open, namespace, open_catalog, shared_within
from cinelake.tables.registry import TableDef

if TYPE_CHECKING:
    import pyarrow as pa
    from pyiceberg.table import CreateTableTransaction, Table, Transaction

SOURCES_PROPERTY = "cinelake.raw-sources"
FILES_PROPERTY = "cinelake.raw-files."
DAY_PROPERTY = "cinelake.day"
COMMIT_TRIES = 5

Replace = Literal["all"] | Collection[str]
"""What a commit replaces: ``"all"`` the table's files, or the partition values given (ISO days)."""


class TableCommitError(LakeError):
    """A table's commit was refused (another writer kept committing first, or the catalog failed)."""


@dataclass
class Commit:
    """What one commit did: its snapshot (None when there was nothing to do) and rows per partition."""

    table: str
    snapshot_id: int | None
    rows: dict[str, int] = field(default_factory=dict)  # partition value ('' unpartitioned) -> rows

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def identifier(table: TableDef) -> str:
    return f"{namespace()}.{table.name}"


def location(lake: Lake, rel: str) -> str:
    """The URL Iceberg records for a lake path (``file://`` for a folder lake)."""
    return f"file://{lake.fs_path(rel)}" if lake.is_local else lake.uri(rel)


_KEPT_LOADS: contextvars.ContextVar[dict[tuple[str, str, str], Any] | None] = contextvars.ContextVar(
    "kept_loads", default=None
)


@contextlib.contextmanager
def loads_kept() -> Iterator[None]:
    """Within the block each table is loaded from its catalog once, for a reader that asks again
    (an answer asks whether the Refined tables exist, then makes their views; a report then counts
    every table): a day's report step on S3 sent 34 GetTable requests for 27 tables, and as many reads
    of metadata files. Only for blocks that read: a commit loads its table afresh whatever the block
    (:func:`commit_files`), so a stale load never reaches a writer. Nested blocks share the loads."""
    with shared_within(_KEPT_LOADS):
        yield


def load(lake: Lake, table: TableDef, backend: str | None = None) -> Table | None:
    """The table as its catalog has it now (as it was first loaded inside :func:`loads_kept`), or None
    when it was never committed."""
    kept = _KEPT_LOADS.get()
    if kept is None:
        return _load_now(lake, table, backend)
    key = (lake.url, backend_for(lake, backend), table.name)
    if key not in kept:
        kept[key] = _load_now(lake, table, backend)
    found: Table | None = kept[key]
    return found


def _load_now(lake: Lake, table: TableDef, backend: str | None = None) -> Table | None:
    """The table as its catalog has it now, or None when it was never committed (a folder lake
    without an Iceberg catalog file is not given one by a reader)."""
    from pyiceberg.exceptions import (
        NoSuchIcebergTableError,
        NoSuchPropertyException,
        NoSuchTableError,
        ValidationError,
    )

    if lake.is_local and backend_for(lake, backend) == "sql" and not lake.exists(ICEBERG_DB):
        return None
    try:
        found = open_catalog(lake, backend).load_table(identifier(table))
    except (NoSuchIcebergTableError, NoSuchPropertyException):
        # Glue holds a plain table of that name: the crawler of a release before the Iceberg tables
        # made it. The transforms' role may not delete tables; deleting it leaves its files alone.
        raise TableCommitError(
            f"the Glue table {identifier(table)} is not an Iceberg table (a crawler made it for the "
            f"files of before): delete it with `aws glue delete-table --database-name {namespace()} "
            f"--name {table.name}` (its files stay) and run the transform again"
        ) from None
    except NoSuchTableError:
        return None
    except (ValidationError, OSError) as exc:  # the metadata file the catalog points at is gone or broken
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LakeError(f"cannot read the Iceberg table {identifier(table)}: {first}") from None
    if not found.location().rstrip("/").endswith(lake.fs_path(table.rel).rstrip("/")):
        # A Glue database holds one lake's tables: one of the same name elsewhere is not this lake's.
        raise TableCommitError(
            f"the catalog's table {identifier(table)} is at {found.location()}, not in the lake {lake.url} "
            "(one catalog database per lake: set CINELAKE_CATALOG_DATABASE)"
        )
    return found


def summary(table: Table | None) -> dict[str, str]:
    """The current snapshot's summary properties (empty when there is none)."""
    snapshot = table.current_snapshot() if table is not None else None
    if snapshot is None or snapshot.summary is None:
        return {}
    return {str(k): str(v) for k, v in snapshot.summary.additional_properties.items()}


def planned_files(found: Table) -> tuple[list[str], list[str]]:
    """(data files, position-delete files) of the table's current snapshot as pyiceberg plans it: the
    URLs of its data files and of the delete files Athena's UPDATE, DELETE and MERGE leave beside them
    (Parquet files of ``file_path`` and ``pos``: the rows of those data files no longer in the table).
    Equality deletes, which pyiceberg does not plan (and Athena does not write), stop with one line."""
    if found.current_snapshot() is None:
        return [], []
    try:
        tasks = list(found.scan().plan_files())
    except ValueError as exc:  # pyiceberg: "does not yet support equality deletes"
        raise LakeError(f"cannot read the Iceberg table {'.'.join(found.name())}: {exc}") from None
    deletes = sorted({delete.file_path for task in tasks for delete in task.delete_files})
    return [task.file.file_path for task in tasks], deletes


def data_files(lake: Lake, table: TableDef) -> list[str]:
    """The URLs of the data files of the table's current snapshot (none when it was never committed),
    for an engine that reads Parquet but not Iceberg (Spark without the Iceberg jars). A snapshot
    with delete files stops with one line: that engine would read the deleted rows."""
    found = load(lake, table)
    if found is None:
        return []
    data, deletes = planned_files(found)
    if deletes:
        raise LakeError(
            f"the Iceberg table {identifier(table)} has {len(deletes)} delete file(s) (Athena's UPDATE, "
            "DELETE or MERGE write them), which Spark cannot apply without the Iceberg jars: run the "
            f"transform with --engine duckdb, or compact the table first (Athena: OPTIMIZE "
            f"{identifier(table)} REWRITE DATA USING BIN_PACK)"
        )
    return data


def total_rows(table: Table | None) -> int:
    """Rows in the table's current snapshot (0 when it has none)."""
    return int(summary(table).get("total-records", "0"))


def recorded_sources(lake: Lake, table: TableDef) -> dict[str, str]:
    """Day (ISO) -> fingerprint of the Raw files the current snapshot's partition was built from."""
    found = summary(load(lake, table)).get(SOURCES_PROPERTY)
    return {str(k): str(v) for k, v in json.loads(found).items()} if found else {}


# --- placing an engine's files ----------------------------------------------------------------------


def new_token() -> str:
    return uuid.uuid4().hex[:12]


def staging_dir(lake: Lake, table: TableDef, engine: str) -> str:
    """A hidden lake-relative folder in the table's folder for one write of ``engine``."""
    return f"{table.rel}/.{engine}-write-{new_token()}"


def place(lake: Lake, table: TableDef, staged: str) -> list[str]:
    """Move the Parquet files of a write (``staged``: an absolute local folder, or a lake-relative
    one) into the table's folder, ``<column>=<value>/`` (or Spark's ``_<column>=<value>/``) kept as
    ``<column>=<value>/``; returns their lake-relative paths and removes ``staged``. Nothing is
    visible to readers until :func:`commit_files`."""
    local = os.path.isabs(staged) or lake.is_local
    if local:
        root = staged if os.path.isabs(staged) else lake.fs_path(staged)
        found = {os.path.relpath(path, root): path for path in _parquet_on_disk(root)}
    else:
        found = {rel[len(staged) :].lstrip("/"): rel for rel in lake.list_files(staged, include_hidden=True)}
    placed: list[str] = []
    for inner, source in sorted(found.items()):
        if not _is_data_file(inner):
            continue
        folders = [_partition_folder(p) for p in inner.split("/")[:-1]]
        target = "/".join([table.rel, *folders, inner.rsplit("/", 1)[-1]])
        if local:
            lake.move_in(source, target)
        else:
            lake.move(source, target)
        placed.append(target)
    if local:
        shutil.rmtree(root, ignore_errors=True)
    else:
        lake.delete(staged)
    return placed


def _is_data_file(path: str) -> bool:
    """A Parquet file an engine wrote (not a hidden temp or marker file)."""
    return path.endswith(".parquet") and not path.rsplit("/", 1)[-1].startswith(".")


def _parquet_on_disk(root: str) -> list[str]:
    return [
        os.path.join(folder, name)
        for folder, _dirs, names in os.walk(root)
        for name in names
        if _is_data_file(name)
    ]


def _partition_folder(segment: str) -> str:
    """``dt=2026-11-26`` for ``dt=2026-11-26`` or Spark's ``_dt=2026-11-26`` (a copy of the column)."""
    return segment[1:] if segment.startswith("_") and "=" in segment else segment


# --- the commit ---------------------------------------------------------------------------------------


@held_open()  # one catalog for the loads, the create and the commit below
def commit_files(
    lake: Lake,
    table: TableDef,
    files: Sequence[str],
    *,
    replace: Replace,
    sources: Mapping[str, str] | None = None,
    properties: Mapping[str, str] | None = None,
    day: date | None = None,
    backend: str | None = None,
) -> Commit:
    """Make ``files`` (lake-relative Parquet files in the table's folder) the table's data in place of
    what ``replace`` names, in one snapshot; create the table from the first file when it is new.

    ``sources`` (day -> Raw fingerprint) is merged into the snapshot's record of what each day was built
    from; ``day`` is the collection day the snapshot stands for; ``properties`` go into its summary.
    Files with no rows are not registered (they are deleted).
    """
    from pyiceberg.exceptions import CommitFailedException, TableAlreadyExistsError, ValidationException

    footers = [_footer(lake, rel) for rel in files]  # each file's footer read once, here
    kept = [footer for footer in footers if footer.rows > 0]
    schema_from = kept[0] if kept else (footers[0] if footers else None)
    found = _load_now(lake, table, backend)  # loaded once: the commit below works on this version
    first = found is None and not lake.exists(f"{table.rel}/metadata")
    legacy = _legacy_files(lake, table, files) if first and _written_before_iceberg(lake) else []
    last: Exception | None = None
    for _attempt in range(COMMIT_TRIES):
        iceberg = _table(lake, table, schema_from, backend, found)
        if iceberg is None:
            return Commit(table.name, None)  # nothing written and nothing to replace
        try:
            done = _commit(lake, iceberg, table, kept, replace, sources, properties, day)
        except (CommitFailedException, ValidationException, TableAlreadyExistsError) as exc:
            # Another writer committed first (or created the table first): redo the commit on its
            # snapshot (what to replace is read again from it).
            last = exc
            found = _load_now(lake, table, backend)
            continue
        for footer in footers:
            if footer.rows == 0:
                lake.delete(footer.rel)  # its columns made the table; an empty file is no data
        for rel in legacy:
            lake.delete(rel)  # the folder's plain Parquet of before, now replaced by the table
        return done
    raise TableCommitError(
        f"{table.name}: the commit was refused {COMMIT_TRIES} times (another writer keeps committing): {last}"
    )


def commit_rebuilt(lake: Lake, table: TableDef, files: Sequence[str], *, day: date | None) -> Commit:
    """Commit a Refined table an engine rebuilt: a partitioned one (the history) replaces the
    partitions its files hold, any other all its rows; ``day`` is the collection day it stands for."""
    if table.partition is None:
        return commit_files(lake, table, files, replace="all", day=day)
    values = sorted({rel.split(f"/{table.partition}=", 1)[1].split("/", 1)[0] for rel in files})
    return commit_files(lake, table, files, replace=values, day=day)


LEGACY_MARKER = "_sources.json"
"""What a Trusted partition of a lake written before the tables were Iceberg tables held beside its files."""


def _written_before_iceberg(lake: Lake) -> bool:
    """True for a lake whose Trusted zone still holds the previous release's ``_sources.json`` markers.

    Only such a lake has plain files to clear at a table's first commit; in any other, the files in a
    new table's folder are another writer's, placed for its own first commit."""
    return any(rel.endswith(LEGACY_MARKER) for rel in lake.list_files("Trusted", include_hidden=True))


def _legacy_files(lake: Lake, table: TableDef, files: Sequence[str]) -> list[str]:
    """The plain Parquet files and ``_sources.json`` markers a lake written before the tables were
    Iceberg tables keeps in the table's folder: the first commit (which the next transform makes
    from Raw, re-ingesting nothing) replaces them, and they are deleted after it."""
    new = set(files)
    return [
        rel
        for rel in lake.list_files(table.rel, include_hidden=True)
        if rel not in new
        and "/metadata/" not in rel
        and "-write-" not in rel
        and (rel.endswith(".parquet") or rel.endswith(LEGACY_MARKER))
    ]


@dataclass(frozen=True)
class _Footer:
    """A Parquet file an engine wrote: its lake path, footer (``pyarrow.parquet.FileMetaData``) and size."""

    rel: str
    metadata: Any
    size: int

    @property
    def rows(self) -> int:
        return int(self.metadata.num_rows)


def _footer(lake: Lake, rel: str) -> _Footer:
    import pyarrow.parquet as pq

    with lake.open_read(rel) as handle:
        metadata = pq.read_metadata(handle)
        size = handle.seek(0, os.SEEK_END)
    return _Footer(rel, metadata, int(size))


def _data_file(lake: Lake, metadata: Any, footer: _Footer, checked: list[pa.Schema]) -> Any:
    """The Iceberg data file of ``footer``'s file for a table of ``metadata``: what pyiceberg's
    ``parquet_file_to_data_file`` makes, from the footer the commit already read (it reads it again
    and asks the file's size: two more requests a file on S3), its columns checked against the
    table's once per distinct file schema (``checked``) instead of once per file."""
    from pyiceberg.io.pyarrow import (
        _check_pyarrow_schema_compatible,
        compute_statistics_plan,
        data_file_statistics_from_parquet_metadata,
        parquet_path_to_id_mapping,
    )
    from pyiceberg.manifest import DataFile, DataFileContent, FileFormat

    schema = metadata.schema()
    arrow = footer.metadata.schema.to_arrow_schema()
    if not any(arrow.equals(seen) for seen in checked):
        _check_pyarrow_schema_compatible(schema, arrow, format_version=metadata.format_version)
        checked.append(arrow)
    statistics = data_file_statistics_from_parquet_metadata(
        parquet_metadata=footer.metadata,
        stats_columns=compute_statistics_plan(schema, metadata.properties),
        parquet_column_mapping=parquet_path_to_id_mapping(schema),
    )
    return DataFile.from_args(
        content=DataFileContent.DATA,
        file_path=location(lake, footer.rel),
        file_format=FileFormat.PARQUET,
        partition=statistics.partition(metadata.spec(), schema),
        file_size_in_bytes=footer.size,
        sort_order_id=None,
        spec_id=metadata.default_spec_id,
        equality_ids=None,
        key_metadata=None,
        **statistics.to_serialized_dict(),
    )


def _nullable(schema: pa.Schema) -> pa.Schema:
    """Every field optional, down to list elements and struct fields: a later write by the other engine
    (Spark marks the elements of arrays it builds as required) must still fit."""
    import pyarrow as pa

    def loose(kind: pa.DataType) -> pa.DataType:
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            return pa.list_(pa.field("element", loose(kind.value_type), nullable=True))
        if pa.types.is_struct(kind):
            return pa.struct([pa.field(f.name, loose(f.type), nullable=True) for f in kind])
        if pa.types.is_map(kind):
            return pa.map_(loose(kind.key_type), loose(kind.item_type))
        return kind

    return pa.schema([pa.field(f.name, loose(f.type), nullable=True) for f in schema])


def _file_schema(footer: _Footer) -> pa.Schema:
    return _nullable(footer.metadata.schema.to_arrow_schema().remove_metadata())


def _table(
    lake: Lake, table: TableDef, schema_from: _Footer | None, backend: str | None, found: Table | None
) -> Table | CreateTableTransaction | None:
    """The table (``found``: as just loaded), evolved (new columns added by name) to hold
    ``schema_from``'s columns; for a new table, the transaction that creates it, so that its creation
    and its first snapshot are one catalog commit (a reader never finds the table without its data)."""
    from pyiceberg.io.pyarrow import _pyarrow_to_schema_without_ids
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.schema import assign_fresh_schema_ids
    from pyiceberg.table import TableProperties
    from pyiceberg.transforms import IdentityTransform

    if schema_from is None:
        return found
    arrow = _file_schema(schema_from)
    if found is None:
        schema = assign_fresh_schema_ids(_pyarrow_to_schema_without_ids(arrow))
        spec = PartitionSpec()
        if table.partition:
            source = schema.find_field(table.partition).field_id
            spec = PartitionSpec(PartitionField(source, 1000, IdentityTransform(), table.partition))
        where = location(lake, table.rel)
        return open_catalog(lake, backend).create_table_transaction(
            identifier(table),
            schema=schema,
            partition_spec=spec,
            location=where,
            properties={
                # The data files stay in the table's folder, partitions as ``dt=`` folders.
                TableProperties.WRITE_DATA_PATH: where,
                TableProperties.DEFAULT_NAME_MAPPING: schema.name_mapping.model_dump_json(),
                "format-version": "2",
            },
        )
    known = {f.name for f in found.schema().fields}
    if any(name not in known for name in arrow.names):
        with found.update_schema() as update:
            update.union_by_name(arrow)
        found = _load_now(lake, table, backend)
        assert found is not None
        with found.transaction() as tx:
            tx.set_properties(
                {TableProperties.DEFAULT_NAME_MAPPING: found.schema().name_mapping.model_dump_json()}
            )
        found = _load_now(lake, table, backend)
        assert found is not None
    return found


def _commit(
    lake: Lake,
    target: Table | CreateTableTransaction,
    table: TableDef,
    files: Sequence[_Footer],
    replace: Replace,
    sources: Mapping[str, str] | None,
    properties: Mapping[str, str] | None,
    day: date | None,
) -> Commit:
    from pyiceberg.table import CreateTableTransaction

    tx: Transaction
    if isinstance(target, CreateTableTransaction):
        # A new table's staged form (pyiceberg keeps it on the transaction) reads and writes as the table.
        creating, iceberg, tx = True, target._table, target
    else:
        creating, iceberg, tx = False, target, target.transaction()
    previous = {} if creating else summary(iceberg)
    props = dict(properties or {})
    recorded = json.loads(previous.get(SOURCES_PROPERTY, "{}"))
    if sources:
        recorded.update(sources)
    if recorded:
        props[SOURCES_PROPERTY] = json.dumps(dict(sorted(recorded.items())), separators=(",", ":"))
    days = [d for d in (previous.get(DAY_PROPERTY), day.isoformat() if day else None) if d]
    if days:
        props[DAY_PROPERTY] = max(days)
    old = [] if creating else _replaced(iceberg, table, replace)
    with tx:
        metadata = tx.table_metadata  # a new table's is computed afresh at each access
        checked: list[pa.Schema] = []
        data_files = [_data_file(lake, metadata, footer, checked) for footer in files]
        unchanged = not data_files and not old and not sources
        if unchanged and not creating and iceberg.current_snapshot() is not None:
            return Commit(table.name, None)
        with tx.update_snapshot(snapshot_properties=props).overwrite() as overwrite:
            for data_file in old:
                overwrite.delete_data_file(data_file)
            for data_file in data_files:
                overwrite.append_data_file(data_file)
        # The snapshot the commit makes current (its id is chosen here, not by the catalog).
        snapshot_id = tx.table_metadata.current_snapshot_id
    rows: dict[str, int] = {}
    for data_file in data_files:
        key = _partition_value(data_file) if table.partition else ""
        rows[key] = rows.get(key, 0) + int(data_file.record_count)
    if not isinstance(replace, str):
        for value in replace:
            rows.setdefault(value, 0)
    return Commit(table.name, snapshot_id, rows)


def _partition_value(data_file: Any) -> str:
    value = data_file.partition[0]
    if isinstance(value, int):  # an identity partition of a date holds days since 1970-01-01
        return date.fromordinal(date(1970, 1, 1).toordinal() + value).isoformat()
    return str(value)


def _replaced(iceberg: Table, table: TableDef, replace: Replace) -> list[Any]:
    """The data files of the current snapshot that ``replace`` names."""
    if iceberg.current_snapshot() is None:
        return []
    if isinstance(replace, str):
        return [task.file for task in iceberg.scan().plan_files()]
    values = set(replace)
    if not values or table.partition is None:
        return []
    return [task.file for task in iceberg.scan().plan_files() if _partition_value(task.file) in values]


def prepare_commits(lake: Lake) -> None:
    """Import what a commit needs that a job's reads do not: pyiceberg's catalog and its Parquet
    statistics (``pyiceberg.io.pyarrow``, which imports ``pyarrow.dataset``), about 1.5 s of a fresh
    process measured with pyinstrument, which the commit thread spends while the engine's first
    write runs."""
    import pyiceberg.io.pyarrow

    if backend_for(lake) == "glue":
        import pyiceberg.catalog.glue
    else:
        import pyiceberg.catalog.sql  # noqa: F401
    import cinelake.tables.fileio  # noqa: F401


T = TypeVar("T")
GLUE_COMMIT_THREADS = 4


class BackgroundCommits(Generic[T]):
    """One job's table commits, each made in a background thread while the engine writes the next
    table; their results are handed to ``done`` in the order they were submitted.

    The commits of different tables are independent (Iceberg has no multi-table transaction: each
    table's snapshot moves on its own, as before), so overlapping them changes nothing a reader can
    see; it lets the engine's next write run during a commit's manifest and metadata writes, catalog
    round trips and SQLite's fsync. One thread for a SQLite catalog (it serialises writers anyway),
    :data:`GLUE_COMMIT_THREADS` for Glue (one table's commit does not wait for another's), none for a
    ``memory://`` lake, whose in-memory SQLite database is not shared between threads. The thread
    starts with :func:`prepare_commits` (the imports a commit needs), so make this after the job's
    own reads of the tables: two threads importing modules that import each other can meet a
    half-made module. A commit's error is raised to the job when its turn comes (at the latest when
    the block ends); the commits already submitted are finished first either way.

    Written here because ``concurrent.futures`` runs the work but does not keep the job's catalog
    (a context variable, see :func:`~cinelake.tables.catalog.held_open`) nor the order of reports."""

    def __init__(self, lake: Lake, done: Callable[[T], None]) -> None:
        if lake.location.scheme == "memory":
            workers = 0
        else:
            workers = GLUE_COMMIT_THREADS if backend_for(lake) == "glue" else 1
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="commit") if workers else None
        self._done = done
        self._pending: collections.deque[Future[T]] = collections.deque()
        if self._pool is not None:  # not waited for: a commit that needs these imports them anyway
            self._pool.submit(prepare_commits, lake)

    def submit(self, work: Callable[[], T]) -> None:
        """Run ``work`` (a commit) in the background; report the commits already finished."""
        if self._pool is None:
            self._done(work())
            return
        self._pending.append(self._pool.submit(contextvars.copy_context().run, work))
        self._report(wait=False)

    def _report(self, *, wait: bool) -> None:
        while self._pending and (wait or self._pending[0].done()):
            self._done(self._pending.popleft().result())

    def __enter__(self) -> BackgroundCommits[T]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                self._report(wait=True)
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)


# --- small writers -------------------------------------------------------------------------------------


def write_arrow(
    lake: Lake,
    table: TableDef,
    data: pa.Table,
    *,
    replace: Replace = "all",
    day: date | None = None,
    properties: Mapping[str, str] | None = None,
) -> Commit:
    """Commit an Arrow table (a small one: it is written whole) as the table's new data in place of
    what ``replace`` names; a partitioned table gets one file per partition value."""
    import tempfile

    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    staged = tempfile.mkdtemp(prefix="cinelake-table-")
    token = new_token()
    if table.partition and data.num_rows:
        for value in pc.unique(data[table.partition]).to_pylist():
            folder = os.path.join(staged, f"{table.partition}={value}")
            os.makedirs(folder, exist_ok=True)
            part = data.filter(pc.equal(data[table.partition], value))
            pq.write_table(part, os.path.join(folder, f"part-{token}.parquet"))
    else:
        pq.write_table(data, os.path.join(staged, f"part-{token}.parquet"))
    files = place(lake, table, staged)
    return commit_files(lake, table, files, replace=replace, day=day, properties=properties)
