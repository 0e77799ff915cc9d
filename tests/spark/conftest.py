"""One local Spark session for the whole test run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


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
