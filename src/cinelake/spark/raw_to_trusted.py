"""The Raw -> Trusted job: every Raw day becomes a ``dt=YYYY-MM-DD`` partition of a Trusted Iceberg table.

Datasets: TMDB movies and series (JSON Lines) and the local movies and series CSV files. By default
every Raw day not yet in Trusted is processed; a day counts as done when the table's current snapshot
records exactly the Raw files it was built from, so a day that received more files is redone and a
crash before the commit is redone on the next run. Spark writes Parquet to a staging folder (no
Iceberg jar is needed); :mod:`cinelake.tables` moves the files into place and commits them in one
snapshot that replaces those days only (dynamic partition overwrite).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from cinelake.errors import InputFileError
from cinelake.lake.layout import Format
from cinelake.lake.store import Lake
from cinelake.spark import lakeio
from cinelake.spark.errors import spark_errors
from cinelake.tables import store as tables
from cinelake.tables.datasets import DATASETS, TrustedDataset
from cinelake.tables.plan import committing_days, plan, plan_all
from cinelake.tables.registry import trusted_table
from cinelake.tables.results import PartitionResult, RawToTrustedResult

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
    from cinelake.spark.trusted_tmdb import read_raw_json, trusted_movies
    from cinelake.tables.raw_schemas import TMDB_MOVIE_DDL

    return trusted_movies(read_raw_json(spark, paths, TMDB_MOVIE_DDL))


def _tmdb_series(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    from cinelake.spark.trusted_tmdb import read_raw_json, trusted_series
    from cinelake.tables.raw_schemas import TMDB_SERIES_DDL

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
"""The Spark transformation of each dataset of :data:`cinelake.tables.datasets.DATASETS`, by name."""


def transform_to_trusted(
    spark: SparkSession,
    dataset: TrustedDataset,
    inputs: Sequence[str],
    output: str,
    *,
    lineage: Callable[[DataFrame], DataFrame] | None = None,
) -> tuple[dict[date, int], dict[date, int]]:
    """The job proper, from input paths to an output path: read the Raw day folders ``inputs``,
    clean them, and write them under ``output`` in ``_dt=`` folders (the ``dt`` column stays in the
    files, as Iceberg wants; ``_dt`` is its copy Spark partitions by). ``lineage`` maps the cleaned
    rows' ``source_file`` when ``inputs`` are copies of the lake's files. Returns (input rows, output
    rows) per day."""
    from pyspark.sql import functions as F

    built = BUILDERS[dataset.name](spark, inputs)
    trusted = (lineage(built) if lineage is not None else built).persist()
    try:
        rows = {r["dt"]: int(r["count"]) for r in trusted.groupBy("dt").count().collect()}
        raw_counts = _input_counts(spark, dataset, inputs)
        (
            trusted.withColumn("_dt", F.col("dt"))
            .repartition("_dt")
            .sortWithinPartitions("_dt", trusted.columns[0])
            .write.mode("overwrite")
            .partitionBy("_dt")
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
    store: Lake,
    *,
    day: date | None = None,
    force: bool = False,
    spark: SparkSession | None = None,
    progress: Progress | None = None,
    catalog: str = "local",
) -> RawToTrustedResult:
    """Turn every Raw day (or only ``day``) not yet in Trusted (all of them with ``force``) into
    partitions of the Trusted tables, one Iceberg commit per dataset (``catalog`` is accepted for the
    command line's sake: the tables live in the lake's Iceberg catalog, :mod:`cinelake.tables.catalog`)."""
    say = progress or (lambda _message: None)
    result, pending = plan_all(store, day=day, force=force, say=say)
    if not pending:
        return result

    if spark is None:
        from cinelake.spark.session import get_spark

        spark = get_spark("cinelake-raw-to-trusted")
    with lakeio.lake_io(store, spark, say) as io, committing_days(store, result, say) as commit:
        for dataset, todo in pending:
            days = ", ".join(r.day.isoformat() for r in todo)
            say(f"{dataset.name}: {len(todo)} day(s) ({days})")
            inputs = io.raw_inputs(todo)
            table = trusted_table(dataset)
            target, staged = io.write_target(table)
            try:
                with spark_errors(f"raw-to-trusted ({dataset.name})"):
                    input_rows, _rows = transform_to_trusted(
                        spark, dataset, inputs, target, lineage=io.with_lake_lineage
                    )
            except InputFileError as exc:  # name the lake's files, not their staged copies
                raise InputFileError(io.lake_names(exc.file), exc.problem) from None
            io.done_reading()
            commit(dataset, todo, tables.place(store, table, staged), input_rows)
    result.catalog_updated = True
    return result
