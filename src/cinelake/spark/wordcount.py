"""Word count with the DataFrame API (Spark) or with DuckDB, both giving the same counts.

A word is a maximal run of Unicode letters and digits (``[\\p{L}\\p{N}]+``), compared lower-cased.
Text files are UTF-8 with or without a BOM (U+FEFF is not a letter, so it never joins a word) and
with LF or CRLF line ends. Counts come sorted by count descending, then word ascending (code point
order). Only the ``top`` rows come back to the driver; the whole result goes to ``out`` (one CSV or
Parquet file, chosen by the extension), written by the engine.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from cinelake.errors import InputFileError, UsageError

Progress = Callable[[str], None]

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

WORD_PATTERN = r"[\p{L}\p{N}]+"
"""The word pattern, read the same by Java's regex (Spark) and RE2 (DuckDB)."""

Engine = Literal["spark", "duckdb"]
ENGINES: tuple[str, ...] = ("spark", "duckdb")
OUT_FORMATS: dict[str, str] = {".csv": "csv", ".parquet": "parquet"}


@dataclass(frozen=True)
class WordCount:
    word: str
    count: int


@dataclass(frozen=True)
class WordCountResult:
    """The ``top`` most frequent words, and where the whole result was written (if anywhere)."""

    engine: str
    top: list[WordCount] = field(default_factory=list)
    out: str | None = None


# --- inputs and outputs --------------------------------------------------------------------------


def input_files(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """Every file named, or found (recursively, hidden ones skipped) under a named folder; sorted."""
    if not paths:
        raise UsageError("give at least one text file or folder to count the words of")
    files: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = [
                str(p)
                for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts)
            ]
            if not found:
                raise InputFileError(str(path), "the folder holds no files")
            files.extend(found)
        elif path.is_file():
            files.append(str(path))
        else:
            raise InputFileError(str(path), "no such file or folder")
    return files


def out_format(out: str) -> str:
    """``csv`` or ``parquet`` from the output file's extension."""
    suffix = Path(out).suffix.lower()
    if suffix not in OUT_FORMATS:
        raise UsageError(f"--out {out!r}: use a .csv or .parquet file name")
    return OUT_FORMATS[suffix]


@contextmanager
def _atomic_target(out: str) -> Iterator[str]:
    """A hidden temp path beside ``out``, moved onto ``out`` when the block succeeds."""
    target = Path(out).absolute()
    if target.is_dir():
        raise UsageError(f"--out {out!r} is a folder; give a file name ending in .csv or .parquet")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex}"
    try:
        yield str(tmp)
        if tmp.is_dir():  # Spark wrote a folder with one part file in it
            parts = [p for p in tmp.iterdir() if p.name.startswith("part-")]
            if len(parts) != 1:
                raise UsageError(f"expected one part file under {tmp}, found {len(parts)}")
            os.replace(parts[0], target)
        else:
            os.replace(tmp, target)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp.exists():
            tmp.unlink()


# --- Spark ------------------------------------------------------------------------------------------


def count_words(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    """``(word string, count bigint)`` for the text files at ``paths`` (any path Spark reads), unsorted."""
    from pyspark.sql import functions as F

    lines = spark.read.text(list(paths))
    words = lines.select(F.explode(F.regexp_extract_all("value", F.lit(WORD_PATTERN), 0)).alias("word"))
    return words.select(F.lower("word").alias("word")).groupBy("word").agg(F.count(F.lit(1)).alias("count"))


def sort_counts(counts: DataFrame) -> DataFrame:
    """Count descending, then word ascending."""
    from pyspark.sql import functions as F

    return counts.orderBy(F.desc("count"), F.asc("word"))


def write_counts(counts: DataFrame, out: str, *, single_file: bool = True) -> str:
    """Write the whole sorted result to ``out`` without collecting it to the driver.

    ``single_file`` (local paths) gives one ``.csv``/``.parquet`` file, sorted by one task after the
    parallel count; otherwise Spark's usual folder of part files (what Glue/EMR jobs write to S3).
    """
    from pyspark.sql import functions as F

    fmt = out_format(out)
    order = [F.desc("count"), F.asc("word")]
    if not single_file:
        writer = sort_counts(counts).write.mode("overwrite")
        (writer.option("header", "true").csv(out) if fmt == "csv" else writer.parquet(out))
        return out
    with _atomic_target(out) as tmp:
        one = counts.repartition(1).sortWithinPartitions(*order).write.mode("overwrite")
        (one.option("header", "true").csv(tmp) if fmt == "csv" else one.parquet(tmp))
    return str(Path(out).absolute())


def _spark_wordcount(
    paths: Sequence[str], top: int, out: str | None, spark: SparkSession | None, progress: Progress
) -> WordCountResult:
    from cinelake.spark.errors import spark_errors
    from cinelake.spark.session import get_spark, in_glue, require_java, require_pyspark

    if spark is None:
        if not in_glue():  # a missing extra or Java is the one line, before any progress
            require_pyspark()
            require_java()
        progress("starting Spark (a local JVM; the first start takes a few seconds)")
    session = spark or get_spark("cinelake-wordcount")
    size = sum(os.path.getsize(p) for p in paths)
    progress(f"counting the words of {len(paths):,} file(s), {size / 1e6:,.1f} MB")
    with spark_errors("wordcount"):
        counts = count_words(session, paths)
        written = None
        if out is not None:
            progress(f"writing every count to {out}")
            counts = counts.persist()
            written = write_counts(counts, out)
        rows = sort_counts(counts).limit(top).collect() if top > 0 else []
        if out is not None:
            counts.unpersist()
    return WordCountResult("spark", [WordCount(r["word"], int(r["count"])) for r in rows], written)


# --- DuckDB -----------------------------------------------------------------------------------------

_DUCKDB_COUNTS = """
SELECT word, count(*)::BIGINT AS count
FROM (
    SELECT lower(unnest(regexp_extract_all(content, '[\\p{{L}}\\p{{N}}]+'))) AS word
    FROM read_text({files})
)
GROUP BY word
"""


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _duckdb_wordcount(paths: Sequence[str], top: int, out: str | None) -> WordCountResult:
    import duckdb

    con = duckdb.connect()
    try:
        files = "[" + ", ".join(_sql_string(p) for p in paths) + "]"
        con.execute(f"CREATE TEMP VIEW counts AS {_DUCKDB_COUNTS.format(files=files)}")
        written = None
        if out is not None:
            fmt = out_format(out)
            options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet"
            with _atomic_target(out) as tmp:
                con.execute(
                    f"COPY (SELECT * FROM counts ORDER BY count DESC, word) TO {_sql_string(tmp)} ({options})"
                )
            written = str(Path(out).absolute())
        rows = (
            con.execute("SELECT word, count FROM counts ORDER BY count DESC, word LIMIT ?", [top]).fetchall()
            if top > 0
            else []
        )
    finally:
        con.close()
    return WordCountResult("duckdb", [WordCount(str(w), int(c)) for w, c in rows], written)


# --- the job ----------------------------------------------------------------------------------------


def wordcount(
    paths: Sequence[str | os.PathLike[str]],
    *,
    top: int = 20,
    out: str | None = None,
    engine: str = "spark",
    spark: SparkSession | None = None,
    progress: Progress | None = None,
) -> WordCountResult:
    """Count the words of local text files or folders with Spark (default) or DuckDB.

    Returns the ``top`` rows (``top=0``: none); with ``out`` the whole sorted result is written there
    as one CSV or Parquet file. ``progress`` hears each stage of a Spark count in a few words.
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    if top < 0:
        raise UsageError("--top must be 0 or more")
    if out is not None:
        out_format(out)
    files = input_files(paths)
    if engine == "duckdb":
        return _duckdb_wordcount(files, top, out)
    return _spark_wordcount(files, top, out, spark, progress or (lambda _message: None))
