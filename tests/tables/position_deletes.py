"""Position-delete files as Athena's UPDATE, DELETE and MERGE write them, for the readers' tests.

pyiceberg 0.12 deletes by rewriting data files (copy-on-write) and has no call that writes a delete
file, so this writes one the way the Iceberg spec describes it: a Parquet file of ``file_path`` and
``pos`` (field ids 2147483546 and 2147483545), listed in a manifest of content ``deletes``, in a new
snapshot whose manifest list keeps the current manifests. DuckDB's ``iceberg_scan`` (which the tests
also read with) applying it is the check that it is a real one.
"""

from __future__ import annotations

import os
import random
import uuid
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.manifest import (
    DataFile,
    DataFileContent,
    FileFormat,
    ManifestContent,
    ManifestEntry,
    ManifestEntryStatus,
    ManifestWriterV2,
    write_manifest_list,
)
from pyiceberg.table import Table
from pyiceberg.table.refs import SnapshotRefType
from pyiceberg.table.snapshots import Operation, Snapshot, Summary
from pyiceberg.table.update import AddSnapshotUpdate, AssertRefSnapshotId, SetSnapshotRefUpdate

FILE_PATH_ID = 2147483546
POS_ID = 2147483545
DELETE_SCHEMA = pa.schema(
    [
        pa.field("file_path", pa.string(), nullable=False, metadata={"PARQUET:field_id": str(FILE_PATH_ID)}),
        pa.field("pos", pa.int64(), nullable=False, metadata={"PARQUET:field_id": str(POS_ID)}),
    ]
)


class _DeleteManifestWriter(ManifestWriterV2):
    def content(self) -> ManifestContent:
        return ManifestContent.DELETES

    @property
    def _meta(self) -> dict[str, str]:
        return {**super()._meta, "content": "deletes"}


def delete_rows(table: Table, column: str, value: Any) -> int:
    """Delete the rows of ``table`` whose ``column`` equals ``value`` with one position-delete file per
    data file holding some, committed as one snapshot; returns the rows deleted."""
    current = table.current_snapshot()
    assert current is not None
    snapshot_id = random.getrandbits(62)
    metadata = table.metadata
    entries = []
    deleted = 0
    for task in table.scan().plan_files():
        local = task.file.file_path.removeprefix("file://")
        data = pq.read_table(local, columns=[column])
        positions = [i for i, v in enumerate(data[column].to_pylist()) if v == value]
        if not positions:
            continue
        path = os.path.join(os.path.dirname(local), f"delete-{uuid.uuid4().hex}.parquet")
        rows = pa.table({"file_path": [task.file.file_path] * len(positions), "pos": positions})
        pq.write_table(rows.cast(DELETE_SCHEMA), path)
        delete_file = DataFile.from_args(
            _table_format_version=2,
            content=DataFileContent.POSITION_DELETES,
            file_path=f"file://{path}",
            file_format=FileFormat.PARQUET,
            partition=task.file.partition,
            record_count=len(positions),
            file_size_in_bytes=os.path.getsize(path),
        )
        delete_file.spec_id = task.file.spec_id
        entries.append(
            ManifestEntry.from_args(
                _table_format_version=2,
                status=ManifestEntryStatus.ADDED,
                snapshot_id=snapshot_id,
                data_file=delete_file,
            )
        )
        deleted += len(positions)
    assert entries, f"no row with {column} = {value!r}"
    folder = table.location().removeprefix("file://") + "/metadata"
    manifest_path = f"{folder}/{uuid.uuid4()}-m0.avro"
    with _DeleteManifestWriter(
        metadata.spec(),
        metadata.schema(),
        table.io.new_output(f"file://{manifest_path}"),
        snapshot_id,
        "deflate",
    ) as writer:
        for entry in entries:
            writer.add_entry(entry)
    manifests = [*current.manifests(table.io), writer.to_manifest_file()]
    sequence = metadata.next_sequence_number()
    manifest_list = f"file://{folder}/snap-{snapshot_id}-0-{uuid.uuid4()}.avro"
    with write_manifest_list(
        2, table.io.new_output(manifest_list), snapshot_id, current.snapshot_id, sequence, "deflate"
    ) as lister:
        lister.add_manifests(manifests)
    previous = current.summary.additional_properties if current.summary else {}
    summary = Summary(Operation.DELETE, **{**previous, "added-position-deletes": str(deleted)})
    snapshot = Snapshot(
        snapshot_id=snapshot_id,
        parent_snapshot_id=current.snapshot_id,
        sequence_number=sequence,
        manifest_list=manifest_list,
        summary=summary,
        schema_id=metadata.current_schema_id,
    )
    table._do_commit(  # what a writer with delete files (Athena) commits: the snapshot, made current
        updates=(
            AddSnapshotUpdate(snapshot=snapshot),
            SetSnapshotRefUpdate(
                snapshot_id=snapshot_id,
                parent_snapshot_id=current.snapshot_id,
                ref_name="main",
                type=SnapshotRefType.BRANCH,
            ),
        ),
        requirements=(AssertRefSnapshotId(snapshot_id=current.snapshot_id, ref="main"),),
    )
    return deleted
