"""The Trusted -> Refined job: rebuild the star schema under ``Refined/<table>/`` from Trusted.

Each table is rewritten whole; locally a table is written beside the old one and swapped in, so a
crash leaves the old table or the new one (see :func:`cinelake.spark.lakeio.write_table`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Origin, Zone
from cinelake.lake.store import Lake
from cinelake.spark import lakeio
from cinelake.spark.catalog_hook import update_catalog_if_present
from cinelake.spark.errors import spark_errors

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

Progress = Callable[[str], None]


@dataclass
class RefinedResult:
    """Rows written per table (lake-relative table folder -> rows)."""

    tables: dict[str, int] = field(default_factory=dict)
    catalog_updated: bool = False


def write_refined(
    spark: SparkSession,
    trusted_movies: str,
    trusted_local: str | None,
    lake: Lake,
    progress: Progress | None = None,
) -> dict[str, int]:
    """The job proper, from input paths to the lake's ``Refined/``: build every table from the Trusted
    TMDB movies folder and (when given) the Trusted local movies folder, and replace it whole.
    Returns rows per table name."""
    from cinelake.spark.refined import latest_movies, latest_ratings, star_schema

    say = progress or (lambda _message: None)
    every_day = spark.read.parquet(trusted_movies)
    movies = latest_movies(every_day).persist()  # every table reads it
    ratings = latest_ratings(spark.read.parquet(trusted_local)) if trusted_local else None
    counts: dict[str, int] = {}
    try:
        for name, frame in star_schema(movies, ratings, every_day).items():
            rel = layout.refined_table(name)
            lakeio.write_table(lake, rel, frame.coalesce(1))
            # Parquet footers hold the row count: no second pass over the data.
            counts[name] = spark.read.parquet(lakeio.spark_uri(lake, rel)).count()
            say(f"{name}: {counts[name]:,} rows")
    finally:
        movies.unpersist()
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
    local_rel = layout.trusted_dir(Origin.LOCAL, "Movies")
    if not _has_parquet(store, movies_rel):
        raise UsageError(
            f"no Trusted TMDB movies in {store.url} ({movies_rel}): run `cinelake spark raw-to-trusted` first"
        )
    if spark is None:
        from cinelake.spark.session import get_spark

        spark = get_spark("cinelake-trusted-to-refined")
    lakeio.check_spark_lake(store, spark)
    local = lakeio.spark_uri(store, local_rel) if _has_parquet(store, local_rel) else None
    with spark_errors("trusted-to-refined"):
        counts = write_refined(spark, lakeio.spark_uri(store, movies_rel), local, store, progress)
    result = RefinedResult({layout.refined_table(name): rows for name, rows in counts.items()})
    result.catalog_updated = update_catalog_if_present(store, Zone.REFINED, catalog)
    return result
