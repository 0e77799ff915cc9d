"""Where the Spark jobs meet the lake: what Spark reads, where it writes, and how that reaches the lake.

Listing, planning and the commit of what Spark wrote go through :mod:`cinelake.tables`; this module
gives Spark the paths of the data files, in one of two ways, chosen per lake by :func:`lake_io`:

* **Direct** — a folder lake, or an ``s3://`` lake on a Spark that has an S3 filesystem (Glue, EMR,
  where ``s3://`` is native): Spark reads the Raw day folders and the Trusted data files at their own
  URLs and writes into a hidden staging folder in the table's folder.
* **Staged through local disk** — an ``s3://`` lake on a Spark without an S3 filesystem (pip's
  pyspark has no hadoop-aws jars). Each input file is streamed from the lake's filesystem, block by
  block (a day is never held in memory), into a temporary folder under its lake-relative path;
  Spark reads the copies and writes Parquet into the same temporary folder; :func:`tables.place
  <cinelake.tables.store.place>` uploads the files into the table's folder and
  :func:`~cinelake.tables.store.commit_files` commits them (the Glue catalog on an S3 lake), so the
  snapshot, the commit and a crash behave as in the direct way. Lineage (``source_file``) names the
  lake's file, not the copy.

Glue and EMR use the direct way: their Spark reads S3 itself, on every executor, while the staging
passes every byte through the driver's disk and so needs the executors to share that disk (Spark's
``local`` master). The temporary folder lives under ``TMPDIR`` and is removed when the job ends; a
killed job leaves it behind (and, at worst, uploaded files no snapshot names, which
``cinelake tables maintain`` deletes).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cinelake.lake.store import Lake
from cinelake.spark.errors import SparkLakeError
from cinelake.tables import store as tables
from cinelake.tables.datasets import RawDay
from cinelake.tables.registry import TableDef

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

COPY_BLOCK = 1 << 20


def check_spark_lake(lake: Lake) -> None:
    """Refuse lakes no Spark job can use, with one line saying what to do instead."""
    if lake.location.scheme == "memory":
        raise SparkLakeError(
            "Spark jobs need a folder or an s3:// lake; memory:// lives only in this process"
        )


def spark_reaches(lake: Lake, spark: SparkSession) -> bool:
    """Whether this Spark reads and writes the lake's own URLs (a folder, or ``s3://`` with an S3
    filesystem on its classpath, as on Glue and EMR)."""
    if lake.is_local:
        return True
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    try:
        jvm.org.apache.hadoop.fs.FileSystem.getFileSystemClass(lake.location.scheme, conf)  # type: ignore[union-attr]
    except Exception:
        return False
    return True


@dataclass
class SparkLakeIO:
    """The paths one job's Spark reads and writes for a lake; ``local_root`` is the staging folder
    when Spark cannot reach the lake itself (None: direct)."""

    lake: Lake
    local_root: str | None = None

    @property
    def staged(self) -> bool:
        return self.local_root is not None

    def raw_inputs(self, days: Sequence[RawDay]) -> list[str]:
        """The day folders Spark reads for these Raw days (staged: only the files the plan listed)."""
        if self.local_root is None:
            return [self.lake.uri(raw.folder) for raw in days]
        for raw in days:
            for name, _size in raw.files:
                self._fetch(f"{raw.folder}/{name}")
        return [os.path.join(self.local_root, "in", raw.folder) for raw in days]

    def table_files(self, urls: Sequence[str] | None) -> list[str] | None:
        """The paths Spark reads for a table's data files (URLs as the catalog records them)."""
        if urls is None or self.local_root is None:
            return list(urls) if urls is not None else None
        return [self._fetch(self.lake.relative(url.split("://", 1)[-1])) for url in urls]

    def write_target(self, table: TableDef) -> tuple[str, str]:
        """(the URL Spark writes the table's Parquet to, the folder :func:`tables.place` takes it from)."""
        if self.local_root is None:
            staged = tables.staging_dir(self.lake, table, "spark")
            return self.lake.uri(staged), staged
        target = os.path.join(self.local_root, "out", tables.new_token())
        return target, target

    def done_reading(self) -> None:
        """Remove the staged input copies (the next dataset fetches its own)."""
        if self.local_root is not None:
            shutil.rmtree(os.path.join(self.local_root, "in"), ignore_errors=True)

    def with_lake_lineage(self, frame: DataFrame) -> DataFrame:
        """``source_file`` naming the lake's Raw file instead of its staged copy."""
        if self.local_root is None or "source_file" not in frame.columns:
            return frame
        from pyspark.sql import functions as F

        copies = "^file:(//)?" + _quoted(os.path.join(self.local_root, "in"))
        return frame.withColumn(
            "source_file", F.regexp_replace("source_file", copies, self.lake.uri().rstrip("/"))
        )

    def lake_names(self, text: str) -> str:
        """``text`` (an error's file names) with each staged copy's path replaced by the lake's URL."""
        if self.local_root is None:
            return text
        return text.replace(os.path.join(self.local_root, "in"), self.lake.uri().rstrip("/"))

    def _fetch(self, rel: str) -> str:
        """Stream the lake's file ``rel`` into the staging folder; its local path."""
        assert self.local_root is not None
        target = os.path.join(self.local_root, "in", rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with self.lake.open_read(rel) as source, open(target, "wb") as copy:
            shutil.copyfileobj(source, copy, COPY_BLOCK)
        return target


def _quoted(text: str) -> str:
    """``text`` as a literal in a Java regular expression."""
    return "\\Q" + text.replace("\\E", "\\E\\\\E\\Q") + "\\E"


@contextmanager
def lake_io(
    lake: Lake, spark: SparkSession, say: Callable[[str], None] | None = None
) -> Iterator[SparkLakeIO]:
    """How this job's Spark reaches ``lake`` (see the module documentation), said through ``say``
    when it is the staging; the staging folder is removed at the end."""
    check_spark_lake(lake)
    if spark_reaches(lake, spark):
        yield SparkLakeIO(lake)
        return
    if say is not None:
        say(f"this Spark has no {lake.location.scheme}:// filesystem: staging the job's files on local disk")
    root = tempfile.mkdtemp(prefix="cinelake-spark-")
    try:
        yield SparkLakeIO(lake, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
