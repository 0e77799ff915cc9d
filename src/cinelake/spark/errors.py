"""Errors of the Spark layer (all :class:`~cinelake.errors.CinelakeError`, one clear line each)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cinelake.errors import CinelakeError, UsageError

JAVA_INSTALL_HINT = "sudo apt-get install -y openjdk-17-jre-headless"
PYSPARK_INSTALL_HINT = "pip install 'cinelake[spark]' (or `make demo-spark` in a clone)"


class SparkNotInstalledError(UsageError):
    """pyspark is not installed: the Spark engine is the ``spark`` extra, not a core dependency."""

    def __init__(self) -> None:
        super().__init__(
            f"the Spark engine needs pyspark, which is not installed; install it with: {PYSPARK_INSTALL_HINT}"
        )


class JavaNotFoundError(UsageError):
    """No Java 17+ on PATH or JAVA_HOME, so Spark cannot start."""

    def __init__(self, found: str | None = None) -> None:
        what = f"found {found}" if found else "no Java was found on PATH or JAVA_HOME"
        super().__init__(f"Spark needs Java 17 or newer ({what}); install it with: {JAVA_INSTALL_HINT}")
        self.found = found


class SparkLakeError(UsageError):
    """The lake URL is one this Spark session cannot read or write (e.g. memory://, or s3:// without s3a)."""


class SparkJobError(CinelakeError):
    """A Spark job failed for a reason other than the user's input."""


@contextmanager
def spark_errors(job: str) -> Iterator[None]:
    """Turn a Spark/JVM failure into :class:`SparkJobError` (one line; the cause stays chained)."""
    try:
        yield
    except CinelakeError:
        raise
    except Exception as exc:
        from py4j.protocol import Py4JError, Py4JJavaError
        from pyspark.errors import PySparkException

        if not isinstance(exc, PySparkException | Py4JError):
            raise
        if isinstance(exc, Py4JJavaError):
            text = str(exc.java_exception.toString())
        else:
            text = str(exc).strip() or type(exc).__name__
        first = text.splitlines()[0][:300]
        raise SparkJobError(f"{job} failed: {first}") from exc
