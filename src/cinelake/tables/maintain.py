"""Maintenance of the tables: expire old snapshots, delete the files no snapshot needs.

pyiceberg expires snapshots (``ExpireSnapshots``) but deletes no file; the files a table's folder
holds that no remaining snapshot references (data files replaced by later commits, manifests and
manifest lists of expired snapshots, metadata files beyond the metadata log, the files of writes
killed before their commit) are listed and deleted here, those older than the cutoff only, so a
write that is under way keeps its files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cinelake.errors import UsageError
from cinelake.lake.store import Lake
from cinelake.tables.reading import existing_tables
from cinelake.tables.store import location

if TYPE_CHECKING:
    from pyiceberg.table import Table

DEFAULT_KEEP_DAYS = 7


@dataclass(frozen=True)
class Maintained:
    table: str
    expired: int  # snapshots expired
    deleted: int  # files deleted


def maintain(
    lake: Lake,
    *,
    older_than_days: int = DEFAULT_KEEP_DAYS,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Maintained]:
    """For every table: expire the snapshots committed more than ``older_than_days`` days ago (never
    the current one), then delete the files of the table's folder that no snapshot references and
    that are older than that."""
    if older_than_days < 0:
        raise UsageError("--older-than-days must be 0 or more")
    say = progress or (lambda _message: None)
    cutoff = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
    done = []
    for table, iceberg in existing_tables(lake):
        current = iceberg.current_snapshot()
        old = [
            s.snapshot_id
            for s in iceberg.snapshots()
            if s.timestamp_ms < cutoff.timestamp() * 1000
            and (current is None or s.snapshot_id != current.snapshot_id)
        ]
        if old:
            iceberg.maintenance.expire_snapshots().by_ids(old).commit()
            iceberg = iceberg.refresh()
        keep = _referenced(iceberg)
        deleted = 0
        for rel in lake.list_files(table.rel, include_hidden=True):
            if location(lake, rel) in keep or _modified(lake, rel) >= cutoff:
                continue
            lake.delete(rel)
            deleted += 1
        say(f"{table.name}: {len(old)} snapshot(s) expired, {deleted} file(s) deleted")
        done.append(Maintained(table.name, len(old), deleted))
    return done


def _referenced(iceberg: Table) -> set[str]:
    """Every file a remaining snapshot (its live entries) or the metadata log of the table names."""
    found = {iceberg.metadata_location}
    found |= {entry.metadata_file for entry in iceberg.metadata.metadata_log}
    for snapshot in iceberg.snapshots():
        found.add(snapshot.manifest_list)
        for manifest in snapshot.manifests(iceberg.io):
            found.add(manifest.manifest_path)
            for entry in manifest.fetch_manifest_entry(iceberg.io, discard_deleted=True):
                found.add(entry.data_file.file_path)
    return found


def _modified(lake: Lake, rel: str) -> datetime:
    # unknown: treat as new, never delete
    return lake.modified_at(rel) or datetime.now(UTC)
