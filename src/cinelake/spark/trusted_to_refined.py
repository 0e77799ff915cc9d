"""The Trusted -> Refined job: rebuild the star schema under ``Refined/<table>/`` from Trusted.

Spark reads the data files of the Trusted tables' current snapshots (listed by pyiceberg: no Iceberg
jar is needed) and writes each Refined table as Parquet to a staging folder; :mod:`cinelake.tables`
commits it as the table's next snapshot, so a crash leaves the old table or the new one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Origin
from cinelake.lake.store import Lake
from cinelake.spark import lakeio
from cinelake.spark.errors import spark_errors
from cinelake.tables import store as tables
from cinelake.tables.datasets import DATASETS
from cinelake.tables.registry import refined_table, trusted_table
from cinelake.tables.results import RefinedResult

__all__ = ["RefinedResult", "trusted_to_refined", "write_refined"]

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

Progress = Callable[[str], None]


def _empty_trusted(spark: SparkSession, spec: str, origin: Origin = Origin.TMDB) -> DataFrame:
    """A Trusted dataset (TMDB or local movies or series) with no rows: the lake holds none of it."""
    from cinelake.spark.trusted_local import trusted_local
    from cinelake.spark.trusted_tmdb import trusted_movies, trusted_series
    from cinelake.tables.raw_schemas import (
        LOCAL_MOVIES_DDL,
        LOCAL_SERIES_DDL,
        TMDB_MOVIE_DDL,
        TMDB_SERIES_DDL,
    )

    series = spec == "Series"
    if origin is Origin.LOCAL:
        ddl = LOCAL_SERIES_DDL if series else LOCAL_MOVIES_DDL
        raw = spark.createDataFrame([], f"{ddl}, source_file STRING, dt DATE")
        return trusted_local(raw, series=series)
    ddl = TMDB_SERIES_DDL if series else TMDB_MOVIE_DDL
    raw = spark.createDataFrame([], f"{ddl}, source_file STRING, dt DATE")
    return trusted_series(raw) if series else trusted_movies(raw)


def _read_series(spark: SparkSession, paths: list[str]) -> DataFrame:
    """Trusted series; those written before TV's ``languages`` was kept read it as null."""
    from pyspark.sql import functions as F

    frame = spark.read.parquet(*paths)
    if "languages" not in frame.columns:
        frame = frame.withColumn("languages", F.lit(None).cast("array<string>"))
    return frame


def write_refined(
    spark: SparkSession,
    trusted_movies: list[str] | None,
    trusted_local: list[str] | None,
    lake: Lake,
    progress: Progress | None = None,
    trusted_series: list[str] | None = None,
    trusted_local_series: list[str] | None = None,
    io: lakeio.SparkLakeIO | None = None,
) -> dict[str, int]:
    """The job proper, from input files to the lake's Refined tables: build every table from the
    Trusted TMDB movies and series files and the Trusted local movies and series files (any may be
    None: read as empty), and commit each as its table's next snapshot. Returns rows per table name.

    ``io`` says where Spark writes (:func:`cinelake.spark.lakeio.lake_io`; default: the lake itself)."""
    from pyspark.sql import functions as F

    from cinelake.spark.refined import latest_local, latest_movies, latest_series, star_schema

    say = progress or (lambda _message: None)
    io = io or lakeio.SparkLakeIO(lake)
    every_day = spark.read.parquet(*trusted_movies) if trusted_movies else _empty_trusted(spark, "Movies")
    every_series = _read_series(spark, trusted_series) if trusted_series else _empty_trusted(spark, "Series")
    movies = latest_movies(every_day).persist()  # every table reads it
    series = latest_series(every_series).persist()
    local = {
        spec: latest_local(spark.read.parquet(*paths) if paths else _empty_trusted(spark, spec, Origin.LOCAL))
        for spec, paths in (("Movies", trusted_local), ("Series", trusted_local_series))
    }
    stood = movies.select(F.max("dt")).union(series.select(F.max("dt"))).agg(F.max("max(dt)")).first()
    day = stood[0] if stood else None
    counts: dict[str, int] = {}

    def committed(done: tables.Commit) -> None:
        counts[done.table] = done.total
        say(f"{done.table}: {done.total:,} rows")

    try:
        built = star_schema(movies, local["Movies"], every_day, series=series, local_series=local["Series"])
        # Each table's commit runs while Spark writes the next.
        with tables.BackgroundCommits(lake, committed) as commits:
            for name, frame in built.items():
                table = refined_table(name)
                target, staged = io.write_target(table)
                if table.partition:
                    copy = f"_{table.partition}"
                    copied = frame.withColumn(copy, F.col(table.partition))
                    copied.repartition(copy).write.partitionBy(copy).parquet(target)
                else:
                    frame.coalesce(1).write.parquet(target)
                files = tables.place(lake, table, staged)
                commits.submit(functools.partial(tables.commit_rebuilt, lake, table, files, day=day))
    finally:
        movies.unpersist()
        series.unpersist()
    return counts


def _trusted_files(lake: Lake, origin: Origin, spec: str) -> list[str] | None:
    dataset = next(d for d in DATASETS if d.origin == origin and d.spec == spec)
    return tables.data_files(lake, trusted_table(dataset)) or None


def trusted_to_refined(
    store: Lake,
    *,
    spark: SparkSession | None = None,
    progress: Progress | None = None,
    catalog: str = "local",
) -> RefinedResult:
    """Rebuild the Refined star schema from Trusted (the most recent ``dt`` of each movie wins), one
    Iceberg commit per table (``catalog`` is accepted for the command line's sake: the tables live in
    the lake's Iceberg catalog)."""
    movies = _trusted_files(store, Origin.TMDB, "Movies")
    series = _trusted_files(store, Origin.TMDB, "Series")
    if not (movies or series):
        raise UsageError(
            f"no Trusted TMDB movies in {store.url} ({layout.trusted_dir(Origin.TMDB, 'Movies')}) nor series "
            f"({layout.trusted_dir(Origin.TMDB, 'Series')}): run `cinelake spark raw-to-trusted` first"
        )
    if spark is None:
        from cinelake.spark.session import get_spark

        spark = get_spark("cinelake-trusted-to-refined")
    with lakeio.lake_io(store, spark, progress) as io, spark_errors("trusted-to-refined"):
        counts = write_refined(
            spark,
            io.table_files(movies),
            io.table_files(_trusted_files(store, Origin.LOCAL, "Movies")),
            store,
            progress,
            io.table_files(series),
            io.table_files(_trusted_files(store, Origin.LOCAL, "Series")),
            io=io,
        )
    result = RefinedResult({layout.refined_table(name): rows for name, rows in counts.items()})
    result.catalog_updated = True
    return result
