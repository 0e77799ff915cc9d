"""Errors of the Spark layer (all :class:`~cinelake.errors.CinelakeError`, one clear line each)."""

from __future__ import annotations

from cinelake.errors import CinelakeError, UsageError

JAVA_INSTALL_HINT = "sudo apt-get install -y openjdk-17-jre-headless"


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
