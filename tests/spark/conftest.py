"""One local Spark session for the whole test run, and a lake the jobs have run over once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cinelake.lake.store import Lake
from tests.spark.lakes import RawFixture, build_raw


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """Starts the one local session of the run and stops it at the end."""
    from cinelake.spark.errors import JavaNotFoundError
    from cinelake.spark.session import get_spark

    try:
        session = get_spark("cinelake-tests")
    except JavaNotFoundError as exc:
        pytest.skip(str(exc))
    yield session
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


@pytest.fixture()
def spark(spark_session: Any) -> Any:
    """The live session: the same one all along, unless code under test stopped it (then a new one)."""
    from cinelake.spark.session import get_spark

    return get_spark("cinelake-tests")


@dataclass
class Pipeline:
    raw: RawFixture
    trusted: Any  # RawToTrustedResult
    refined: Any  # RefinedResult

    @property
    def lake(self) -> Lake:
        return self.raw.lake

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        """Run DuckDB SQL where ``{Trusted/...}`` / ``{Refined/...}`` name lake folders of Parquet."""
        import duckdb

        def table(rel: str) -> str:
            return f"read_parquet('{self.lake.uri(rel)}/**/*.parquet', hive_partitioning=true)"

        import re

        text = re.sub(r"\{([A-Za-z/_]+)\}", lambda m: table(m[1]), query)
        with duckdb.connect() as con:
            return con.execute(text).fetchall()


@pytest.fixture(scope="session")
def pipeline(spark_session: Any, real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    """Raw (two days, see tests.spark.lakes) -> Trusted -> Refined, run once for the session."""
    from cinelake.catalog import crawl
    from cinelake.spark.raw_to_trusted import raw_to_trusted
    from cinelake.spark.trusted_to_refined import trusted_to_refined

    lake = Lake(str(tmp_path_factory.mktemp("spark-lake")))
    raw = build_raw(lake, real_data)
    crawl(lake, zone="Raw")  # the lake has a catalog: the jobs must keep it current
    trusted = raw_to_trusted(lake, spark=spark_session)
    refined = trusted_to_refined(lake, spark=spark_session)
    return Pipeline(raw, trusted, refined)
