"""Where the Spark jobs meet the lake: Spark paths, the zone lease on a local lake, table swaps.

Raw days, partition markers and swap recovery are the engines' shared bookkeeping
(:mod:`cinelake.transform.bookkeeping`), re-exported here. Listing and bookkeeping go through
:class:`~cinelake.lake.store.Lake`; Spark itself reads and writes
the data files at the URLs :func:`spark_uri` gives (a local path here, ``s3://`` on Glue/EMR).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

from cinelake.lake import layout
from cinelake.lake.layout import Zone
from cinelake.lake.lock import held
from cinelake.lake.store import Lake
from cinelake.spark.errors import SparkLakeError
from cinelake.transform.bookkeeping import (  # re-exported: the Spark jobs' bookkeeping is the shared one
    SOURCES_MARKER,
    RawDay,
    entries,
    is_up_to_date,
    marker_path,
    raw_days,
    recover_table,
    write_marker,
)

__all__ = [
    "SOURCES_MARKER",
    "RawDay",
    "check_spark_lake",
    "exclusive",
    "is_up_to_date",
    "marker_path",
    "raw_days",
    "recover_table",
    "spark_uri",
    "sweep_spark_leftovers",
    "write_marker",
    "write_table",
]

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


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
    removed = [f"{dataset_rel}/{name}" for name in entries(lake, dataset_rel, SPARK_LEFTOVERS)]
    for rel in removed:
        lake.delete(rel)
    return removed


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
