"""Publishing a folder the DuckDB engine wrote: whole, or not at all.

Locally a new partition or table is written to a hidden folder beside its place and swapped in (the
old one renamed aside first, so a crash leaves the old version or the new one, and the next run puts
the old one back if the new one never arrived). On S3 there is no rename: the files are uploaded one
PUT each and the old files deleted after; the Trusted marker, removed first and written last, makes
a run that stopped in between redo the partition.
"""

from __future__ import annotations

import uuid

from cinelake.lake.store import Lake
from cinelake.transform.bookkeeping import entries, recover_swaps, recover_table

STAGING_PREFIX = ".duckdb-staging-"
"""Hidden folder of one DuckDB write inside a dataset folder; readers and the crawler skip it."""


def token() -> str:
    return uuid.uuid4().hex[:12]


def recover(lake: Lake, target_rel: str) -> None:
    """Undo a swap of ``target_rel`` a crash interrupted (before staging a new version of it)."""
    recover_table(lake, target_rel)


def swap_in(lake: Lake, target_rel: str, staged_rel: str) -> None:
    """Move the local folder ``staged_rel`` to ``target_rel``, replacing what was there in one step.
    Call :func:`recover` on ``target_rel`` before staging."""
    parent, name = target_rel.rsplit("/", 1)
    old = f"{parent}/.{name}.old-{token()}"
    had_old = lake.exists(target_rel)
    if had_old:
        lake.fs.mv(lake.fs_path(target_rel), lake.fs_path(old), recursive=True)
    lake.fs.mv(lake.fs_path(staged_rel), lake.fs_path(target_rel), recursive=True)
    if had_old:
        lake.delete(old)


def upload_replacing(lake: Lake, local_folder: str, target_rel: str) -> None:
    """Upload every file of ``local_folder`` into ``target_rel`` of a remote lake, then delete the
    files of ``target_rel`` that were there before (except ``keep`` bookkeeping)."""
    import os

    before = [f for f in lake.list_files(target_rel, include_hidden=True) if f.endswith(".parquet")]
    written: set[str] = set()
    for name in sorted(os.listdir(local_folder)):
        rel = f"{target_rel}/{name}"
        lake.fs.put_file(os.path.join(local_folder, name), lake.fs_path(rel))
        written.add(rel)
    for rel in before:
        if rel not in written:
            lake.delete(rel)


def sweep_staging(lake: Lake, dataset_rel: str) -> list[str]:
    """Clean what killed DuckDB writes left directly in ``dataset_rel`` (under the lease): delete their
    staging folders, and finish every partition swap they cut short (an up-to-date partition is not
    rewritten, so its leftovers are cleaned here or never). Returns what was removed or put back."""
    removed = [f"{dataset_rel}/{n}" for n in entries(lake, dataset_rel, (STAGING_PREFIX,))]
    for rel in removed:
        lake.fs.rm(lake.fs_path(rel), recursive=True)
    swapped = recover_swaps(lake, dataset_rel)
    return removed + [f"{dataset_rel}/{name} (swap finished)" for name in swapped]
