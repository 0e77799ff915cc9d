"""Crawler and DuckDB figures on a large Raw zone generated from the packaged TMDB snapshot.

    .venv/bin/python bench/crawl.py [--files 10000] [--records-per-file 100] [--days 10] [--dir DIR]

Writes ``--files`` JSON Lines files of ``--records-per-file`` real snapshot movies each (long free text
dropped to keep the lake about 1 GB) under Raw/TMDB/JSON/Movies/YYYY/MM/DD over ``--days`` days, then
measures, in the same run:
(a) a crawl reading 3 sampled files per partition against a crawl reading every file (the ratio);
(b) a re-crawl with nothing new, and an incremental crawl after one more day lands;
(c) ``SELECT count(*)`` over the whole table through DuckDB against counting lines in Python.
Generation stops at ``--generate-budget`` seconds (the figures then say how many files were written).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import orjson

from cinelake.catalog import crawl
from cinelake.lake import layout
from cinelake.lake.store import Lake
from cinelake.query import run_sql

DROPPED = ("overview", "tagline")


def source_lines() -> list[bytes]:
    """One JSON line per snapshot movie (with its credits, keywords and external ids)."""
    from cinelake.tmdb.snapshot import load_snapshot

    movies = load_snapshot().movies
    return [
        orjson.dumps({k: v for k, v in movies[i].items() if k not in DROPPED}) + b"\n" for i in sorted(movies)
    ]


def generate(
    lake: Lake, files: int, per_file: int, days: int, first: date, budget: float
) -> tuple[int, float]:
    """Write the files (plain writes, several at once); returns (files written, seconds)."""
    lines = source_lines()
    started = time.perf_counter()
    per_day = max(1, -(-files // days))

    def write(index: int) -> bool:
        if time.perf_counter() - started > budget:
            return False
        day = first + timedelta(days=index // per_day)
        rel = layout.raw_tmdb_file("Movies", day, "bench", index % per_day + 1)
        start = (index * per_file) % len(lines)
        chunk = [lines[(start + j) % len(lines)] for j in range(per_file)]
        path = lake.fs_path(rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(b"".join(chunk))
        return True

    with ThreadPoolExecutor(max_workers=4) as pool:
        written = sum(pool.map(write, range(files)))
    return written, time.perf_counter() - started


def count_lines(root: Path) -> tuple[int, float]:
    started = time.perf_counter()
    total = 0
    for path in root.rglob("*.json"):
        with open(path, "rb") as handle:
            total += handle.read().count(b"\n")
    return total, time.perf_counter() - started


def timed_crawl(lake: Lake, database: str, sample: int | None) -> tuple[float, int]:
    started = time.perf_counter()
    summary = crawl(lake, zone="Raw", database=database, sample=sample)
    return time.perf_counter() - started, summary.files_read


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--records-per-file", type=int, default=100)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--generate-budget", type=float, default=300.0, help="seconds")
    parser.add_argument("--dir", help="where to build the lake (default: a temporary folder, removed after)")
    args = parser.parse_args()

    root = Path(args.dir or tempfile.mkdtemp(prefix="cinelake-bench-"))
    lake = Lake(str(root / "lake"))
    first = date(2026, 11, 1)
    try:
        files, gen_s = generate(
            lake, args.files, args.records_per_file, args.days, first, args.generate_budget
        )
        size = sum(p.stat().st_size for p in (root / "lake").rglob("*.json"))
        print(f"generated {files:,} files, {files * args.records_per_file:,} records, {size / 1e6:,.0f} MB "
              f"in {gen_s:.1f}s")  # fmt: skip

        sampled_s, sampled_read = timed_crawl(lake, "bench_sampled", 3)
        full_s, full_read = timed_crawl(lake, "bench_full", None)
        print(f"crawl, 3 files per partition: {sampled_s:8.2f}s ({sampled_read:,} files read)")
        print(f"crawl, every file:            {full_s:8.2f}s ({full_read:,} files read)")
        print(f"  sampling is {full_s / sampled_s:.1f}x faster")

        again_s, again_read = timed_crawl(lake, "bench_sampled", 3)
        print(f"re-crawl, nothing new:        {again_s:8.2f}s ({again_read:,} files read)")
        per_day = max(1, -(-args.files // args.days))
        extra_day = first + timedelta(days=args.days)
        for chunk in range(1, per_day + 1):
            source = layout.raw_tmdb_file("Movies", first, "bench", chunk)
            target = lake.fs_path(layout.raw_tmdb_file("Movies", extra_day, "bench", chunk))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(lake.fs_path(source), target)
        inc_s, inc_read = timed_crawl(lake, "bench_sampled", 3)
        print(f"crawl after one more day:     {inc_s:8.2f}s ({inc_read:,} files read, {per_day:,} new files)")

        lines, python_s = count_lines(root / "lake" / "Raw")
        started = time.perf_counter()
        count = run_sql(lake, "SELECT count(*) FROM raw_tmdb_movies", database="bench_sampled").scalar()
        duck_s = time.perf_counter() - started
        started = time.perf_counter()
        day_count = run_sql(
            lake, "SELECT count(*) FROM raw_tmdb_movies WHERE day = '01'", database="bench_sampled"
        ).scalar()
        day_s = time.perf_counter() - started
        assert count == lines, (count, lines)
        print(f"DuckDB SELECT count(*):       {duck_s:8.2f}s ({count:,} rows)")
        print(f"Python counting lines:        {python_s:8.2f}s ({lines:,} lines)")
        print(f"  DuckDB / Python: {duck_s / python_s:.2f}")
        print(f"DuckDB count(*) of one day:   {day_s:8.2f}s ({day_count:,} rows)")
    finally:
        if not args.dir:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
