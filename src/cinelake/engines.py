"""Raw -> Trusted -> Refined with a choice of engine: DuckDB (embedded, the default) or Spark.

Both engines commit the same Iceberg tables through :mod:`cinelake.tables`: the same folders and
``dt`` partitions, column names and types, and rows (tests/spark/test_engines_agree.py runs both and
compares). DuckDB (:mod:`cinelake.transform`) runs in this process with bounded memory; Spark
(:mod:`cinelake.spark`: local[*], AWS Glue, EMR) is for lakes that outgrow one machine. This module
sits above both, so neither engine imports the other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from cinelake.errors import UsageError
from cinelake.lake.store import Lake
from cinelake.tables.catalog import held_open

if TYPE_CHECKING:
    from cinelake.tables.results import RawToTrustedResult, RefinedResult

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[str, ...] = ("duckdb", "spark")
DEFAULT_ENGINE: Engine = "duckdb"
Progress = Callable[[str], None]


def check_engine(value: str) -> Engine:
    """``value`` as an engine name, or a one-line UsageError."""
    if value == "duckdb":
        return "duckdb"
    if value == "spark":
        from cinelake.spark.session import require_pyspark

        require_pyspark()
        return "spark"
    raise UsageError(f"unknown --engine {value!r}: use duckdb or spark")


def raw_to_trusted(
    lake: Lake,
    *,
    engine: str = DEFAULT_ENGINE,
    day: date | None = None,
    force: bool = False,
    progress: Progress | None = None,
    catalog: str = "local",
    spark: Any = None,
) -> RawToTrustedResult:
    """Turn every Raw day (or only ``day``) not yet in Trusted into ``dt`` partitions of Parquet, then
    update the catalog when the lake has one (``catalog``: local, glue or none)."""
    with held_open():  # one catalog for the job's loads and commits
        if check_engine(engine) == "spark":
            from cinelake.spark.raw_to_trusted import raw_to_trusted as on_spark

            return on_spark(lake, day=day, force=force, spark=spark, progress=progress, catalog=catalog)
        from cinelake.transform.duck_trusted import run

        return run(lake, day=day, force=force, progress=progress, catalog=catalog)


def trusted_to_refined(
    lake: Lake,
    *,
    engine: str = DEFAULT_ENGINE,
    progress: Progress | None = None,
    catalog: str = "local",
    spark: Any = None,
) -> RefinedResult:
    """Rebuild the Refined star schema from Trusted (each title's most recent ``dt`` wins), then
    update the catalog when the lake has one."""
    with held_open():
        if check_engine(engine) == "spark":
            from cinelake.spark.trusted_to_refined import trusted_to_refined as on_spark

            return on_spark(lake, spark=spark, progress=progress, catalog=catalog)
        from cinelake.transform.duck_refined import run

        return run(lake, progress=progress, catalog=catalog)
