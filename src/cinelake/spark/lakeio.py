"""Where the Spark jobs meet the lake: the lakes Spark can reach, and the URLs it reads and writes.

Listing, planning and the commit of what Spark wrote go through :mod:`cinelake.tables`; Spark itself
reads and writes the data files at the URLs :func:`spark_uri` gives (a local path here, ``s3://`` on
Glue/EMR).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cinelake.lake.store import Lake
from cinelake.spark.errors import SparkLakeError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


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
