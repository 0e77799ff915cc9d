"""``GlueContext`` (test double): wraps the job's SparkContext and gives its ``spark_session``."""

from __future__ import annotations

from typing import Any


class GlueContext:
    def __init__(self, spark_context: Any) -> None:
        from pyspark.sql import SparkSession

        self._sc = spark_context
        self.spark_session = SparkSession(spark_context)
