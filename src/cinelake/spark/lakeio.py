"""Where the Spark jobs meet the lake: Spark paths, Raw days, partition markers and table swaps.

Listing and bookkeeping go through :class:`~cinelake.lake.store.Lake`; Spark itself reads and writes
the data files at the URLs :func:`spark_uri` gives (a local path here, ``s3://`` on Glue/EMR).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from cinelake.errors import LakePathError
from cinelake.lake import layout
from cinelake.lake.layout import Zone
from cinelake.lake.lock import held
from cinelake.lake.store import Lake
from cinelake.spark.errors import SparkLakeError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SOURCES_MARKER = "_sources.json"
"""Written into a Trusted partition after it is complete: which Raw files it was built from."""


def check_spark_lake(lake: Lake, spark: SparkSession) -> None:
    """Refuse lakes this Spark cannot reach, with one line saying what to do instead."""
    scheme = lake.location.scheme
    if scheme == "memory":
        raise SparkLakeError(
            "Spark jobs need a folder or an s3:// lake; memory:// lives only in this process"
        )
    if scheme != "s3":
        return
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    try:
        jvm.org.apache.hadoop.fs.FileSystem.getFileSystemClass("s3", conf)  # type: ignore[union-attr]
    except Exception:
        raise SparkLakeError(
            f"this Spark has no s3:// filesystem (pip's pyspark lacks it), so it cannot reach {lake.url}: "
            "run the job on AWS Glue or EMR (see glue/), or use a local lake folder"
        ) from None


def spark_uri(lake: Lake, rel: str = "") -> str:
    """The URL Spark reads or writes for a lake-relative path."""
    return lake.uri(rel)


# --- Raw days ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawDay:
    """The files of one Raw dataset on one processing day."""

    dataset: str  # lake-relative dataset folder, e.g. Raw/TMDB/JSON/Movies
    day: date
    files: tuple[tuple[str, int], ...]  # (name, size), sorted

    @property
    def folder(self) -> str:
        return f"{self.dataset}/{layout.date_path(self.day)}"


def raw_days(lake: Lake, dataset: str, suffix: str) -> list[RawDay]:
    """Every ``YYYY/MM/DD`` folder of a Raw dataset holding at least one ``*<suffix>`` file, by date."""
    found: list[RawDay] = []
    for year in lake.list_dirs(dataset):
        for month in lake.list_dirs(f"{dataset}/{year}"):
            for day in lake.list_dirs(f"{dataset}/{year}/{month}"):
                try:
                    when = layout.parse_date_path(f"{year}/{month}/{day}")
                except LakePathError:
                    continue  # not a date folder: not data
                folder = f"{dataset}/{year}/{month}/{day}"
                files = tuple(
                    (rel.rsplit("/", 1)[-1], lake.size(rel))
                    for rel in lake.list_files(folder)
                    if rel.endswith(suffix) and rel.count("/") == folder.count("/") + 1
                )
                if files:
                    found.append(RawDay(dataset, when, files))
    return sorted(found, key=lambda d: d.day)


# --- Trusted partition markers --------------------------------------------------------------------------


def marker_path(partition: str) -> str:
    return f"{partition}/{SOURCES_MARKER}"


def is_up_to_date(lake: Lake, partition: str, raw: RawDay) -> bool:
    """True when the partition was completed from exactly these Raw files (names and sizes)."""
    path = marker_path(partition)
    if not lake.exists(path):
        return False
    try:
        marker = json.loads(lake.read_bytes(path))
    except ValueError:
        return False
    recorded = [(str(name), int(size)) for name, size in marker.get("files", [])]
    return recorded == list(raw.files)


def write_marker(lake: Lake, partition: str, raw: RawDay, counts: dict[str, int]) -> None:
    body: dict[str, Any] = {
        "source": raw.folder,
        "files": [list(f) for f in raw.files],
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **counts,
    }
    lake.write_bytes(marker_path(partition), json.dumps(body, indent=1).encode())


# --- Refined tables, replaced whole ----------------------------------------------------------------------


# What a killed Spark write leaves in its output folder: the staging folder of a dynamic partition
# overwrite (``.spark-staging-<job id>``) and the output committer's ``_temporary``.
SPARK_LEFTOVERS = (".spark-staging-", "_temporary")


@contextlib.contextmanager
def exclusive(lake: Lake, zone: Zone, job: str) -> Iterator[None]:
    """Run a job that writes ``zone`` alone: on a local lake, hold ``<Zone>/_locks/<job>.lock``.

    A second run of the job at the same time is refused with one line (LockHeldError); a crashed or
    killed holder on this machine is taken over at once. On S3 nothing is locked: Glue runs one run of
    a job at a time (MaxConcurrentRuns 1), and a lease would make Glue's retry of a crashed run wait.
    """
    if not lake.is_local:
        yield
        return
    with held(lake, job, path=layout.zone_lock_file(zone, job)):
        yield


def sweep_spark_leftovers(lake: Lake, dataset_rel: str) -> list[str]:
    """Delete what killed Spark writes left directly in ``dataset_rel``; returns the folders removed.

    Only inside :func:`exclusive` (a live job's staging folder looks the same as a dead one's).
    """
    removed = [f"{dataset_rel}/{name}" for name in _entries(lake, dataset_rel, SPARK_LEFTOVERS)]
    for rel in removed:
        lake.delete(rel)
    return removed


def _entries(lake: Lake, parent: str, prefixes: tuple[str, ...]) -> list[str]:
    """Names of the entries directly in ``parent`` (hidden ones included) that start with a prefix, sorted."""
    path = lake.fs_path(parent)
    if not lake.fs.exists(path):
        return []
    names = [str(e).rstrip("/").rsplit("/", 1)[-1] for e in lake.fs.ls(path, detail=False)]
    return sorted(n for n in names if n.startswith(prefixes))


def _hidden_siblings(lake: Lake, parent: str, name: str) -> list[str]:
    """Names of the ``.<name>.tmp-*`` / ``.<name>.old-*`` folders a swap leaves behind, sorted."""
    return _entries(lake, parent, (f".{name}.tmp-", f".{name}.old-"))


def recover_table(lake: Lake, table_rel: str) -> None:
    """Undo a swap a crash interrupted: put the old table back if the new one never arrived; drop temps."""
    parent, name = table_rel.rsplit("/", 1)
    leftovers = _hidden_siblings(lake, parent, name)
    olds = [n for n in leftovers if n.startswith(f".{name}.old-")]
    if olds and not lake.exists(table_rel):
        lake.fs.mv(lake.fs_path(f"{parent}/{olds[-1]}"), lake.fs_path(table_rel), recursive=True)
        leftovers.remove(olds[-1])
    for folder in leftovers:
        lake.fs.rm(lake.fs_path(f"{parent}/{folder}"), recursive=True)


def write_table(lake: Lake, table_rel: str, frame: DataFrame) -> None:
    """Replace a whole table so a reader (or a crash) sees the old table or the new one.

    Locally: write a hidden temp folder, rename the old table aside, rename the new one in, delete
    the old. On S3 (Glue/EMR) there is no rename: Spark overwrites the folder in place.
    """
    if not lake.is_local:
        frame.write.mode("overwrite").parquet(spark_uri(lake, table_rel))
        return
    recover_table(lake, table_rel)
    parent, name = table_rel.rsplit("/", 1)
    token = uuid.uuid4().hex[:12]
    tmp = f"{parent}/.{name}.tmp-{token}"
    old = f"{parent}/.{name}.old-{token}"
    frame.write.mode("overwrite").parquet(spark_uri(lake, tmp))
    had_old = lake.exists(table_rel)
    if had_old:
        lake.fs.mv(lake.fs_path(table_rel), lake.fs_path(old), recursive=True)
    lake.fs.mv(lake.fs_path(tmp), lake.fs_path(table_rel), recursive=True)
    if had_old:
        lake.delete(old)
