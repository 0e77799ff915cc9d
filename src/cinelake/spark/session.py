"""The Spark session: ``local[*]`` on a laptop, the Glue context on AWS Glue.

The local session is tuned to start fast and stay small (no UI, no Hive, a handful of shuffle
partitions, quiet logs). Before the JVM is started the helper checks that a Java 17+ is there, so a
machine without Java gets one line saying what to install instead of a gateway stack trace.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cinelake.spark.errors import JavaNotFoundError, SparkNotInstalledError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MIN_JAVA = 17
DEFAULT_MASTER = "local[*]"
DEFAULT_DRIVER_MEMORY = "2g"
DEFAULT_SHUFFLE_PARTITIONS = 4

# The root level matches the level Spark gives an interactive session (warn), so Spark does not print
# its "Setting default log level" banner; the noisy loggers are turned down one by one.
_LOG4J2 = """\
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
logger.native.name = org.apache.hadoop.util.NativeCodeLoader
logger.native.level = error
logger.shutdown.name = org.apache.spark.util.ShutdownHookManager
logger.shutdown.level = error
"""

_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


def in_glue() -> bool:
    """True when running inside an AWS Glue job (the ``awsglue`` package is importable)."""
    return importlib.util.find_spec("awsglue") is not None


def find_java() -> str | None:
    """The ``java`` Spark's launcher will run: ``$JAVA_HOME/bin/java`` if JAVA_HOME is set, else PATH's."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None
    return shutil.which("java")


def java_major_version(java: str) -> int | None:
    """The major version ``java -version`` reports (``1.8`` -> 8), or None if it cannot be read."""
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(done.stderr + done.stdout)
    if not match:
        return None
    major = int(match[1])
    if major == 1 and match[2]:
        major = int(match[2])
    return major


def require_java(minimum: int = MIN_JAVA) -> str:
    """The path of a usable Java, or :class:`JavaNotFoundError` with the install hint."""
    java = find_java()
    if java is None:
        raise JavaNotFoundError()
    major = java_major_version(java)
    if major is None or major < minimum:
        raise JavaNotFoundError(f"{java} reporting version {major if major is not None else 'unknown'}")
    return java


def require_pyspark() -> None:
    """Nothing if pyspark can be imported, else :class:`SparkNotInstalledError` with the install hint."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SparkNotInstalledError() from None


def _conf_dir() -> str:
    """A Spark conf folder holding only a quiet ``log4j2.properties`` (Spark puts it on the classpath)."""
    folder = (
        Path(tempfile.gettempdir()) / f"cinelake-spark-conf-{os.getuid() if hasattr(os, 'getuid') else 0}"
    )
    folder.mkdir(exist_ok=True)
    path = folder / "log4j2.properties"
    if not path.exists() or path.read_text() != _LOG4J2:
        tmp = folder / f".log4j2.{os.getpid()}"
        tmp.write_text(_LOG4J2)
        os.replace(tmp, path)
    return str(folder)


def get_spark(
    app_name: str = "cinelake",
    *,
    master: str | None = None,
    driver_memory: str | None = None,
    shuffle_partitions: int | None = None,
) -> SparkSession:
    """A Spark session: the active one if any, the Glue one on Glue, else a small local one.

    ``master``, ``driver_memory`` and ``shuffle_partitions`` default to the environment variables
    ``CINELAKE_SPARK_MASTER``, ``CINELAKE_SPARK_DRIVER_MEMORY`` and ``CINELAKE_SPARK_SHUFFLE_PARTITIONS``,
    then to ``local[*]``, ``2g`` and 4. ``CINELAKE_SPARK_JAVA_OPTIONS`` adds JVM options to the local
    driver's.
    """
    if in_glue():
        return _glue_session()

    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and getattr(active.sparkContext, "_jsc", None) is not None:
        return active  # a live session (a stopped one has no Java context left)

    require_java()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Python workers (only the RDD baseline uses them) run the same interpreter as the driver.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)

    master = master or os.environ.get("CINELAKE_SPARK_MASTER") or DEFAULT_MASTER
    memory = driver_memory or os.environ.get("CINELAKE_SPARK_DRIVER_MEMORY") or DEFAULT_DRIVER_MEMORY
    partitions = shuffle_partitions or int(
        os.environ.get("CINELAKE_SPARK_SHUFFLE_PARTITIONS", DEFAULT_SHUFFLE_PARTITIONS)
    )
    # A fixed locale keeps lower() the same on every machine (Java lower-cases by the default locale).
    java_opts = "-Duser.language=en -Duser.country=US"
    extra = os.environ.get("CINELAKE_SPARK_JAVA_OPTIONS", "").strip()
    if extra:  # e.g. "-XX:TieredStopAtLevel=1" for short local runs (the tests set it)
        java_opts = f"{java_opts} {extra}"
    os.environ.setdefault("SPARK_CONF_DIR", _conf_dir())
    warnings.filterwarnings("ignore", message=".*PySpark does not yet fully support pandas.*")
    builder = (
        SparkSession.builder.appName(app_name)
        .master(master)
        .config("spark.driver.memory", memory)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.extraJavaOptions", java_opts)
        .config("spark.executor.extraJavaOptions", java_opts)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.default.parallelism", str(max(partitions, os.cpu_count() or 2)))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    )
    with jvm_stderr_filtered():  # the JVM starts here and keeps this stderr
        session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


# The JVM prints this when Spark 4 adds the jdk.incubator.vector module, whatever the log settings.
_JVM_NOTICE = re.compile(rb"^WARNING: Using incubator modules")


@contextmanager
def jvm_stderr_filtered() -> Iterator[threading.Thread | None]:
    """Within the block, file descriptor 2 is a pipe whose lines are passed on to the real stderr
    except the JVM's "Using incubator modules" notice; a JVM started in the block keeps writing
    through it (a thread forwards until the JVM exits). Written by hand: the notice comes from the
    JVM itself, before any logging setting applies, and no Spark option turns it off."""
    try:
        original = os.dup(2)
    except OSError:  # no stderr to filter
        yield None
        return
    read_end, write_end = os.pipe()
    sys.stderr.flush()
    os.dup2(write_end, 2)
    os.close(write_end)
    target = os.dup(original)

    def forward() -> None:
        with os.fdopen(read_end, "rb", buffering=0) as source, os.fdopen(target, "wb", buffering=0) as sink:
            for line in iter(source.readline, b""):
                if not _JVM_NOTICE.match(line):
                    sink.write(line)

    forwarder = threading.Thread(target=forward, name="jvm-stderr", daemon=True)
    forwarder.start()
    try:
        yield forwarder  # ends when every process that inherited the pipe has exited
    finally:
        sys.stderr.flush()
        os.dup2(original, 2)
        os.close(original)


def _glue_session() -> SparkSession:
    from awsglue.context import GlueContext
    from pyspark.context import SparkContext

    context = GlueContext(SparkContext.getOrCreate())
    session: SparkSession = context.spark_session
    session.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
    return session
