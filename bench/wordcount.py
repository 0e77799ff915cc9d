"""Word count benchmark: the DataFrame job against the classic RDD word count, DuckDB and Counter.

Builds a corpus of at least ``--size-mb`` MB (default 200) by repeating the Project Gutenberg books
of ../shared/data/gutenberg in a temporary folder (deleted afterwards), then counts it in one run:

1. ``cinelake spark wordcount`` (DataFrame API: regexp_extract_all + explode + groupBy), result to Parquet;
2. the classic RDD word count (``textFile().flatMap(...).map(...).reduceByKey(add)``, Python workers);
3. ``--engine duckdb``, result to Parquet;
4. Python's ``collections.Counter`` over the same files, one process.

Every method must give the same counts; the script prints each time and its ratio to the DataFrame
job. Each method is bounded by ``--max-seconds`` (cancelled past it).

    .venv/bin/python bench/wordcount.py [--size-mb 200] [--max-seconds 300]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from operator import add
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from cinelake.spark.session import get_spark
from cinelake.spark.wordcount import wordcount

BOOKS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gutenberg"
WORD = re.compile(r"[^\W_]+")  # the letters and digits, [\p{L}\p{N}]


class TimedOut(Exception):
    pass


def build_corpus(folder: Path, size_mb: int) -> list[Path]:
    books = sorted(BOOKS.glob("*.txt"))
    if not books:
        sys.exit(f"no books in {BOOKS}")
    files: list[Path] = []
    total, copy = 0, 0
    while total < size_mb * 1024 * 1024:
        for book in books:
            target = folder / f"{copy:04d}-{book.name}"
            shutil.copyfile(book, target)
            files.append(target)
            total += target.stat().st_size
        copy += 1
    print(f"corpus: {len(files)} files, {total / 1024 / 1024:.0f} MB ({copy} copies of {len(books)} books)")
    return files


@contextmanager
def deadline(seconds: float, cancel: Callable[[], None]) -> Iterator[None]:
    fired = threading.Event()

    def fire() -> None:
        fired.set()
        cancel()

    timer = threading.Timer(seconds, fire)
    timer.start()
    try:
        yield
    except Exception as exc:
        if fired.is_set():
            raise TimedOut(f"cancelled after {seconds:.0f} s") from exc
        raise
    finally:
        timer.cancel()
    if fired.is_set():
        raise TimedOut(f"cancelled after {seconds:.0f} s")


def read_counts(path: Path) -> dict[str, int]:
    table = pq.read_table(path)
    return dict(zip(table["word"].to_pylist(), table["count"].to_pylist(), strict=True))


def rdd_tokens(line: str) -> list[str]:
    return [word.lower() for word in WORD.findall(line)]


def run_rdd(spark: Any, files: list[Path]) -> dict[str, int]:
    lines = spark.sparkContext.textFile(",".join(str(f) for f in files))
    pairs = lines.flatMap(rdd_tokens).map(lambda word: (word, 1)).reduceByKey(add)
    return dict(pairs.collect())


def run_counter(files: list[Path], stop: threading.Event) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for file in files:
        if stop.is_set():
            raise TimedOut("cancelled")
        with file.open(encoding="utf-8-sig") as handle:
            for line in handle:
                counts.update(word.lower() for word in WORD.findall(line))
    return dict(counts)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=200, help="corpus size in MB (default 200)")
    parser.add_argument("--max-seconds", type=float, default=300, help="time bound per method (default 300)")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cinelake-wordcount-bench-") as tmp:
        folder = Path(tmp)
        corpus = folder / "corpus"
        corpus.mkdir()
        files = build_corpus(corpus, options.size_mb)
        started = time.perf_counter()
        spark = get_spark("cinelake-wordcount-bench")
        print(f"spark session: {time.perf_counter() - started:.1f} s (not counted)")
        # Warm both Spark paths up on one book so neither pays for JIT and first-job set-up.
        wordcount([files[0]], top=0, out=str(folder / "warm.parquet"), spark=spark)
        run_rdd(spark, files[:1])

        results: dict[str, dict[str, int]] = {}
        seconds: dict[str, float] = {}

        def timed(name: str, run: Callable[[], dict[str, int]], cancel: Callable[[], None]) -> None:
            begin = time.perf_counter()
            try:
                with deadline(options.max_seconds, cancel):
                    results[name] = run()
            except TimedOut as exc:
                print(f"{name:<28} {exc}")
                return
            seconds[name] = time.perf_counter() - begin
            print(f"{name:<28} {seconds[name]:8.1f} s  {len(results[name]):,} distinct words", flush=True)

        cancel_spark = spark.sparkContext.cancelAllJobs

        def dataframe() -> dict[str, int]:
            out = folder / "dataframe.parquet"
            wordcount(files, top=0, out=str(out), spark=spark)
            return read_counts(out)

        def duckdb_engine() -> dict[str, int]:
            out = folder / "duckdb.parquet"
            wordcount(files, top=0, out=str(out), engine="duckdb")
            return read_counts(out)

        stop_counter = threading.Event()
        timed("spark DataFrame (cinelake)", dataframe, cancel_spark)
        timed("spark RDD flatMap/reduce", lambda: run_rdd(spark, files), cancel_spark)
        timed("duckdb (--engine duckdb)", duckdb_engine, lambda: None)
        timed("python Counter", lambda: run_counter(files, stop_counter), stop_counter.set)
        spark.stop()

        base = "spark DataFrame (cinelake)"
        if base not in results:
            sys.exit("the DataFrame job did not finish: no ratios")
        print()
        for name, counts in results.items():
            same = "same counts" if counts == results[base] else "COUNTS DIFFER"
            print(f"{name:<28} {seconds[name] / seconds[base]:6.2f}x the DataFrame time   {same}")
        if "spark RDD flatMap/reduce" in seconds:
            speedup = seconds["spark RDD flatMap/reduce"] / seconds[base]
            verdict = "met" if speedup >= 2.5 else "NOT met"
            print(f"\nDataFrame vs RDD: {speedup:.2f}x faster (target >= 2.5x: {verdict})")
        if any(counts != results[base] for counts in results.values()):
            sys.exit(1)


if __name__ == "__main__":
    main()
