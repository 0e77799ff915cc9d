"""The Trusted -> Refined job: rebuild the star schema under ``Refined/<table>/`` from Trusted.

Each table is rewritten whole; locally a table is written beside the old one and swapped in, so a
crash leaves the old table or the new one (see :func:`cinelake.spark.lakeio.write_table`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Origin, Zone
from cinelake.lake.store import Lake
from cinelake.spark import lakeio
from cinelake.spark.catalog_hook import update_catalog_if_present
from cinelake.spark.errors import spark_errors
from cinelake.transform.results import RefinedResult

__all__ = ["RefinedResult", "trusted_to_refined", "write_refined"]

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

Progress = Callable[[str], None]


def _empty_trusted(spark: SparkSession, spec: str, origin: Origin = Origin.TMDB) -> DataFrame:
    """A Trusted dataset (TMDB or local movies or series) with no rows: the lake holds none of it."""
    from cinelake.spark.schemas import LOCAL_MOVIES_DDL, LOCAL_SERIES_DDL, TMDB_MOVIE_DDL, TMDB_SERIES_DDL
    from cinelake.spark.trusted_local import trusted_local
    from cinelake.spark.trusted_tmdb import trusted_movies, trusted_series

    series = spec == "Series"
    if origin is Origin.LOCAL:
        ddl = LOCAL_SERIES_DDL if series else LOCAL_MOVIES_DDL
        raw = spark.createDataFrame([], f"{ddl}, source_file STRING, dt DATE")
        return trusted_local(raw, series=series)
    ddl = TMDB_SERIES_DDL if series else TMDB_MOVIE_DDL
    raw = spark.createDataFrame([], f"{ddl}, source_file STRING, dt DATE")
    return trusted_series(raw) if series else trusted_movies(raw)


def _read_series(spark: SparkSession, path: str) -> DataFrame:
    """Trusted series; those written before TV's ``languages`` was kept read it as null."""
    from pyspark.sql import functions as F

    frame = spark.read.parquet(path)
    if "languages" not in frame.columns:
        frame = frame.withColumn("languages", F.lit(None).cast("array<string>"))
    return frame
def write_refined(
    spark: SparkSession,
    trusted_movies: str | None,
    trusted_local: str | None,
    lake: Lake,
    progress: Progress | None = None,
    trusted_series: str | None = None,
    trusted_local_series: str | None = None,
) -> dict[str, int]:
    """The job proper, from input paths to the lake's ``Refined/``: build every table from the Trusted
    TMDB movies and series folders and the Trusted local movies and series folders (any may be None:
    read as empty), and replace it whole. Returns rows per table name."""
    from cinelake.spark.refined import latest_local, latest_movies, latest_series, star_schema

    say = progress or (lambda _message: None)
    every_day = spark.read.parquet(trusted_movies) if trusted_movies else _empty_trusted(spark, "Movies")
    every_series = _read_series(spark, trusted_series) if trusted_series else _empty_trusted(spark, "Series")
    movies = latest_movies(every_day).persist()  # every table reads it
    series = latest_series(every_series).persist()
    local = {
        spec: latest_local(spark.read.parquet(path) if path else _empty_trusted(spark, spec, Origin.LOCAL))
        for spec, path in (("Movies", trusted_local), ("Series", trusted_local_series))
    }
    counts: dict[str, int] = {}
    try:
        tables = star_schema(
            movies, local["Movies"], every_day, series=series, local_series=local["Series"]
        )
        for name, frame in tables.items():
            rel = layout.refined_table(name)
            lakeio.write_table(lake, rel, frame.coalesce(1))
            # Parquet footers hold the row count: no second pass over the data.
            counts[name] = spark.read.parquet(lakeio.spark_uri(lake, rel)).count()
            say(f"{name}: {counts[name]:,} rows")
    finally:
        movies.unpersist()
        series.unpersist()
    return counts


def _has_parquet(lake: Lake, rel: str) -> bool:
    return any(p.endswith(".parquet") for p in lake.list_files(rel))


def trusted_to_refined(
    lake: Lake | str,
    *,
    spark: SparkSession | None = None,
    progress: Progress | None = None,
    catalog: str = "local",
) -> RefinedResult:
    """Rebuild the Refined star schema from Trusted (the most recent ``dt`` of each movie wins), then
    update the catalog when the lake has one (``catalog``: local, glue or none)."""
    store = lake if isinstance(lake, Lake) else Lake(lake)
    with lakeio.exclusive(store, Zone.REFINED, "trusted-to-refined"):
        return _trusted_to_refined(store, spark=spark, progress=progress, catalog=catalog)


def _trusted_to_refined(
    store: Lake, *, spark: SparkSession | None, progress: Progress | None, catalog: str
) -> RefinedResult:
    movies_rel = layout.trusted_dir(Origin.TMDB, "Movies")
    series_rel = layout.trusted_dir(Origin.TMDB, "Series")
    has_movies, has_series = _has_parquet(store, movies_rel), _has_parquet(store, series_rel)
    if not (has_movies or has_series):
        raise UsageError(
            f"no Trusted TMDB movies in {store.url} ({movies_rel}) nor series ({series_rel}): "
            "run `cinelake spark raw-to-trusted` first"
        )
    if spark is None:
        from cinelake.spark.session import get_spark

        spark = get_spark("cinelake-trusted-to-refined")
    lakeio.check_spark_lake(store, spark)
    local_rels = {spec: layout.trusted_dir(Origin.LOCAL, spec) for spec in ("Movies", "Series")}
    local = {spec: lakeio.spark_uri(store, r) for spec, r in local_rels.items() if _has_parquet(store, r)}
    with spark_errors("trusted-to-refined"):
        counts = write_refined(
            spark,
            lakeio.spark_uri(store, movies_rel) if has_movies else None,
            local.get("Movies"),
            store,
            progress,
            lakeio.spark_uri(store, series_rel) if has_series else None,
            local.get("Series"),
        )
    result = RefinedResult({layout.refined_table(name): rows for name, rows in counts.items()})
    result.catalog_updated = update_catalog_if_present(store, Zone.REFINED, catalog)
    return result
