"""A lake of series and no films: both engines build every Refined table (the film tables empty) and
agree row for row. The Spark job's empty Trusted movies are made from the Raw schema, as DuckDB's are."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from cinelake.lake.store import Lake
from tests.transform.compare import differences
from tests.transform.test_refined_series import DAY1, _write_series, packaged_series

pytestmark = [pytest.mark.integration, pytest.mark.spark, pytest.mark.slow]


def test_both_engines_agree_on_a_lake_of_series_only(spark_session: Any, tmp_path: Path) -> None:
    from cinelake.engines import raw_to_trusted, trusted_to_refined

    on_spark = Lake(str(tmp_path / "on-spark"))
    _write_series(on_spark, DAY1, packaged_series()[:30])
    on_duckdb = Lake(str(tmp_path / "on-duckdb"))
    shutil.copytree(on_spark.uri("Raw"), on_duckdb.uri("Raw"))
    results = {}
    for lake, engine in ((on_spark, "spark"), (on_duckdb, "duckdb")):
        raw_to_trusted(lake, engine=engine, spark=spark_session, catalog="none")
        results[engine] = trusted_to_refined(lake, engine=engine, spark=spark_session, catalog="none")
    assert results["spark"].tables == results["duckdb"].tables
    assert results["spark"].tables["Refined/fact_series"] == 30
    assert results["spark"].tables["Refined/fact_movie"] == 0
    assert differences(on_spark, on_duckdb) == []
