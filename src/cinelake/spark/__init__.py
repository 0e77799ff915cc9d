"""Spark jobs: the session helper, word count, Raw -> Trusted and Trusted -> Refined.

Importing this package does not import pyspark; each job imports it when it runs.
"""

from cinelake.spark.errors import JavaNotFoundError, SparkJobError, SparkLakeError
from cinelake.spark.raw_to_trusted import RawToTrustedResult, raw_to_trusted
from cinelake.spark.session import get_spark, in_glue, require_java
from cinelake.spark.trusted_to_refined import RefinedResult, trusted_to_refined
from cinelake.spark.wordcount import WordCount, WordCountResult, wordcount

__all__ = [
    "JavaNotFoundError",
    "RawToTrustedResult",
    "RefinedResult",
    "SparkJobError",
    "SparkLakeError",
    "WordCount",
    "WordCountResult",
    "get_spark",
    "in_glue",
    "raw_to_trusted",
    "require_java",
    "trusted_to_refined",
    "wordcount",
]
