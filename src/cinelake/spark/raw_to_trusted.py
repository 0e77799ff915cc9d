"""The Raw -> Trusted job: every Raw day becomes a ``dt=YYYY-MM-DD`` partition of typed Parquet.

Datasets: TMDB movies and series (JSON Lines) and the local movies and series CSV files. By default
every Raw day not yet in Trusted is processed; a partition counts as done when its ``_sources.json``
marker lists exactly the Raw files it was built from, so a day that received more files is redone and
a crash mid-write is redone on the next run. Reruns overwrite their own partitions only (dynamic
partition overwrite); other days stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from cinelake.lake import layout
from cinelake.lake.layout import Format, Zone
from cinelake.lake.store import Lake
from cinelake.spark import lakeio
from cinelake.spark.catalog_hook import update_catalog_if_present
from cinelake.spark.errors import spark_errors
from cinelake.transform.datasets import DATASETS, TrustedDataset, plan, plan_all
from cinelake.transform.results import PartitionResult, RawToTrustedResult

__all__ = [
    "BUILDERS",
    "DATASETS",
    "PartitionResult",
    "RawToTrustedResult",
    "TrustedDataset",
    "plan",
    "raw_to_trusted",
    "transform_to_trusted",
]

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

Progress = Callable[[str], None]


def _tmdb_movies(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    from cinelake.spark.schemas import TMDB_MOVIE_DDL
    from cinelake.spark.trusted_tmdb import read_raw_json, trusted_movies

    return trusted_movies(read_raw_json(spark, paths, TMDB_MOVIE_DDL))


def _tmdb_series(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    from cinelake.spark.schemas import TMDB_SERIES_DDL
    from cinelake.spark.trusted_tmdb import read_raw_json, trusted_series

    return trusted_series(read_raw_json(spark, paths, TMDB_SERIES_DDL))


def _local_movies(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    from cinelake.spark.trusted_local import read_raw_csv, trusted_local

    return trusted_local(read_raw_csv(spark, paths, series=False), series=False)


def _local_series(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    from cinelake.spark.trusted_local import read_raw_csv, trusted_local

    return trusted_local(read_raw_csv(spark, paths, series=True), series=True)


BUILDERS: dict[str, Callable[[SparkSession, Sequence[str]], DataFrame]] = {
    "TMDB/Movies": _tmdb_movies,
    "TMDB/Series": _tmdb_series,
    "Local/Movies": _local_movies,
    "Local/Series": _local_series,
}
"""The Spark transformation of each dataset of :data:`cinelake.transform.datasets.DATASETS`, by name."""


def transform_to_trusted(
    spark: SparkSession, dataset: TrustedDataset, inputs: Sequence[str], output: str
) -> tuple[dict[date, int], dict[date, int]]:
    """The job proper, from input paths to an output path: read the Raw day folders ``inputs``,
    clean them, and overwrite their ``dt`` partitions under ``output``. Returns (input rows, output
    rows) per day."""
    trusted = BUILDERS[dataset.name](spark, inputs).persist()
    try:
        rows = {r["dt"]: int(r["count"]) for r in trusted.groupBy("dt").count().collect()}
        raw_counts = _input_counts(spark, dataset, inputs)
        (
            trusted.repartition("dt")
            .sortWithinPartitions("dt", trusted.columns[0])
            .write.mode("overwrite")
            .option("partitionOverwriteMode", "dynamic")
            .partitionBy("dt")
            .parquet(output)
        )
    finally:
        trusted.unpersist()
    return raw_counts, rows


def _input_counts(spark: SparkSession, dataset: TrustedDataset, inputs: Sequence[str]) -> dict[date, int]:
    from pyspark.sql import functions as F

    from cinelake.spark.trusted_tmdb import dt_from_path

    reader = spark.read.option("pathGlobFilter", f"*{dataset.suffix}")
    frame = reader.text(list(inputs))
    if dataset.raw_format == Format.CSV:
        # Lines that are not data: the header of each file.
        frame = frame.filter(~F.col("value").startswith("id|"))
    frame = frame.filter(F.trim("value") != "")
    counted = frame.groupBy(dt_from_path(F.col("_metadata.file_path")).alias("dt")).count().collect()
    return {r["dt"]: int(r["count"]) for r in counted}


def raw_to_trusted(
    lake: Lake | str,
    *,
    day: date | None = None,
    force: bool = False,
    spark: SparkSession | None = None,
    progress: Progress | None = None,
    catalog: str = "local",
) -> RawToTrustedResult:
    """Turn every Raw day (or only ``day``) not yet in Trusted (all of them with ``force``) into
    Trusted Parquet partitions, then update the catalog when the lake has one (``catalog``: local,
    glue or none)."""
    store = lake if isinstance(lake, Lake) else Lake(lake)
    with lakeio.exclusive(store, Zone.TRUSTED, "raw-to-trusted"):
        return _raw_to_trusted(store, day=day, force=force, spark=spark, progress=progress, catalog=catalog)


def _raw_to_trusted(
    store: Lake,
    *,
    day: date | None,
    force: bool,
    spark: SparkSession | None,
    progress: Progress | None,
    catalog: str,
) -> RawToTrustedResult:
    say = progress or (lambda _message: None)
    for dataset in DATASETS:
        for leftover in lakeio.sweep_spark_leftovers(store, dataset.trusted_dir):
            say(f"removed {leftover}, left by a Spark write that did not finish")
    result, pending = plan_all(store, day=day, force=force, say=say)
    if not pending:
        return result

    if spark is None:
        from cinelake.spark.session import get_spark

        spark = get_spark("cinelake-raw-to-trusted")
    lakeio.check_spark_lake(store, spark)
    for dataset, todo in pending:
        days = ", ".join(r.day.isoformat() for r in todo)
        say(f"{dataset.name}: {len(todo)} day(s) ({days})")
        inputs = [lakeio.spark_uri(store, raw.folder) for raw in todo]
        output = lakeio.spark_uri(store, dataset.trusted_dir)
        with spark_errors(f"raw-to-trusted ({dataset.name})"):
            input_rows, rows = transform_to_trusted(spark, dataset, inputs, output)
        for raw in todo:
            partition = layout.trusted_partition(dataset.origin, dataset.spec, raw.day)
            count = rows.get(raw.day, 0)
            if count == 0:
                store.delete(partition)  # nothing valid that day: no stale rows either
            lakeio.write_marker(
                store, partition, raw, {"rows": count, "input_rows": input_rows.get(raw.day, 0)}
            )
            result.partitions.append(
                PartitionResult(
                    dataset.name, raw.day, "written", count, input_rows.get(raw.day, 0), partition
                )
            )
        say(f"{dataset.name}: {sum(rows.values()):,} rows written to {dataset.trusted_dir}")
    result.catalog_updated = update_catalog_if_present(store, Zone.TRUSTED, catalog)
    return result
