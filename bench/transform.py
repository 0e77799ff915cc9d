"""The Iceberg commit path against plain Parquet files, and DuckDB against Spark, in one run.

    .venv/bin/python bench/transform.py [--records 100000] [--days 30] [--repeat 1] [--no-spark]
                                        [--spark-generated] [--no-demo] [--dir DIR]

Three ways of running raw-to-trusted + trusted-to-refined, each job in its own process (the time a
user waits for the command, Python's and Spark's start included) with the peak RSS of its process
tree (the JVM included):

- ``duckdb``: ``cinelake transform <job> --engine duckdb``, the tables committed as Iceberg snapshots;
- ``files``: the baseline, the same DuckDB jobs writing the same Parquet files into the same folders
  with no commit (``commit_files`` replaced by :func:`files_only`: the files are placed and their rows
  counted, no catalog, no metadata, no manifest), which is what the lake did before its tables were
  Iceberg tables, less that version's own markers and folder swaps. Its trusted-to-refined runs on
  the ``duckdb`` run's lake, before or after that run's own (alternately, with ``--repeat``), so
  both read the same Trusted tables the same way and differ only in the commits of their output;
- ``spark``: ``--engine spark`` (Iceberg commits too).

(a) the packaged snapshot (every movie, plus the packaged demo CSV) as one Raw day: all three; the
    ratios Iceberg / files and Spark / DuckDB;
(b) ``cinelake demo`` (DuckDB engine): the total of its own step table;
(c) a generated lake of ``--records`` TMDB records (the snapshot's real records repeated with new ids)
    over ``--days`` days: ``duckdb`` and ``files`` (Spark too with ``--spark-generated``).
    1,000,000 records is about 1.3 GB of JSON Lines; the default is smaller so the script is quick.

The jobs run under the interpreter that runs the script, so it measures that environment. ``make
test``'s venv has pandas (the tests' independent answers), which pyarrow imports whenever it is
installed (0.2-0.4 s of each committing process); a user's install has none:

    python -m venv /tmp/pv && /tmp/pv/bin/pip install '.[spark]' psutil
    /tmp/pv/bin/python bench/transform.py --records 0 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import orjson
import psutil
import pyarrow.parquet as pq

from cinelake.lake import layout
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake

JOBS = ("raw-to-trusted", "trusted-to-refined")
FIRST_DAY = date(2026, 10, 1)
ID_STRIDE = 10_000_000  # copy k of a movie gets id + k * ID_STRIDE: never a real TMDB id twice


def snapshot_movies() -> list[dict[str, object]]:
    from cinelake.tmdb.snapshot import load_snapshot

    movies = load_snapshot().movies
    return [movies[i] for i in sorted(movies)]


def write_snapshot_lake(root: Path, day: date) -> int:
    lake = Lake(str(root))
    movies = snapshot_movies()
    for start in range(0, len(movies), 100):
        body = b"".join(orjson.dumps(m) + b"\n" for m in movies[start : start + 100])
        lake.write_bytes(layout.raw_tmdb_file("Movies", day, "bench", start // 100 + 1), body)
    demo = resources.files("cinelake.data").joinpath("demo_movies.csv")
    lake.copy_in(str(demo), layout.raw_local_csv_file(Kind.MOVIES, day, "demo_movies.csv"))
    return len(movies)


def write_generated_lake(root: Path, records: int, days: int) -> tuple[int, int]:
    """``records`` snapshot records with new ids, 100 a file, spread over ``days`` days; returns
    (records, bytes) written."""
    movies = snapshot_movies()
    per_day = -(-records // days)
    written = size = 0
    for d in range(days):
        day = FIRST_DAY + timedelta(days=d)
        folder = root / f"Raw/TMDB/JSON/Movies/{layout.date_path(day)}"
        folder.mkdir(parents=True, exist_ok=True)
        todo = min(per_day, records - written)
        for chunk in range(0, todo, 100):
            out = bytearray()
            for n in range(written + chunk, written + min(chunk + 100, todo)):
                movie = movies[n % len(movies)]
                copy = n // len(movies)
                out += orjson.dumps({**movie, "id": int(str(movie["id"])) + copy * ID_STRIDE}) + b"\n"
            (folder / f"movies-bench-{chunk // 100 + 1:05d}.json").write_bytes(bytes(out))
            size += len(out)
        written += todo
    return written, size


FILES_ONLY = "--files-only-child"


def files_only(lake: Lake, table: object, files: list[str], **_ignored: object) -> object:
    """The baseline's stand-in for ``tables.store.commit_files``: the files stay where the job placed
    them (the table's folders), their rows are counted from the Parquet footers, nothing is committed."""
    from cinelake.tables.store import Commit

    partition = getattr(table, "partition", None)
    rows: dict[str, int] = {}
    for rel in files:
        with lake.open_read(rel) as handle:
            count = int(pq.ParquetFile(handle).metadata.num_rows)
        value = rel.split(f"/{partition}=", 1)[1].split("/", 1)[0] if partition else ""
        rows[value] = rows.get(value, 0) + count
    return Commit(str(getattr(table, "name", "")), None, rows)


def files_only_child(job: str, lake: str) -> None:
    """``cinelake transform <job> --engine duckdb`` with :func:`files_only` in place of the commit."""
    from cinelake import cli
    from cinelake.tables import store

    store.commit_files = files_only  # type: ignore[assignment]
    store.prepare_commits = lambda _lake: None  # nor the imports a commit needs
    cli.main(["transform", job, "--lake", lake, "--engine", "duckdb", "--catalog", "none"])


def run_job(lake: Path, job: str, engine: str) -> tuple[float, float]:
    """(seconds, peak RSS in MB of the process tree) of ``cinelake transform <job>`` in its own process
    (``engine`` ``files``: the baseline, see the module documentation)."""
    if engine == "files":
        command = [sys.executable, __file__, FILES_ONLY, job, str(lake)]
    else:
        command = [sys.executable, "-m", "cinelake.cli", "transform", job, "--lake", str(lake),
                   "--engine", engine, "--catalog", "none"]  # fmt: skip
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1")
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    parent = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{job} on {engine} failed: {err.strip().splitlines()[-1:]}")
    return seconds, peak / 2**20


def _fresh(source: Path, lake: Path) -> Path:
    if lake.exists():
        shutil.rmtree(lake)
    shutil.copytree(source, lake)
    return lake


def both_jobs(source: Path, work: Path, engine: str) -> dict[str, tuple[float, float]]:
    lake = _fresh(source / "Raw", work / engine / "Raw").parent
    return {job: run_job(lake, job, engine) for job in JOBS}


def iceberg_and_files(source: Path, work: Path, repeat: int = 1) -> dict[str, dict[str, tuple[float, float]]]:
    """Both jobs on the Iceberg path and on the files-only baseline, ``repeat`` times on fresh lakes:
    the median seconds and the highest peak RSS of each (on a shared machine one run is noise)."""
    runs = [_iceberg_and_files_once(source, work, files_first=n % 2 == 0) for n in range(repeat)]
    return {
        path: {
            job: (
                statistics.median(run[path][job][0] for run in runs),
                max(run[path][job][1] for run in runs),
            )
            for job in JOBS
        }
        for path in runs[0]
    }


def _iceberg_and_files_once(
    source: Path, work: Path, *, files_first: bool = True
) -> dict[str, dict[str, tuple[float, float]]]:
    """Both jobs on the Iceberg path and on the files-only baseline, one after the other, job by job
    (the baseline first or second, as asked: the first of two runs pays for the caches it warms);
    both trusted-to-refined runs read the Trusted tables the Iceberg path committed."""
    iceberg = _fresh(source / "Raw", work / "duckdb" / "Raw").parent
    files = _fresh(source / "Raw", work / "files" / "Raw").parent
    figures: dict[str, dict[str, tuple[float, float]]] = {"duckdb": {}, "files": {}}
    order = ("files", "duckdb") if files_first else ("duckdb", "files")
    for path in order:
        lake = files if path == "files" else iceberg
        figures[path]["raw-to-trusted"] = run_job(lake, "raw-to-trusted", path)
    # Both read the Iceberg lake's Trusted tables (the catalog records their absolute location, so a
    # copy would not do); the baseline's Refined files are left uncommitted in the folders.
    for path in order:
        figures[path]["trusted-to-refined"] = run_job(iceberg, "trusted-to-refined", path)
    return figures


def demo_total(work: Path) -> float:
    folder = work / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, COLUMNS="200")
    for var in ("TMDB_READ_ACCESS_TOKEN", "TMDB_API_KEY", "TMDB_BASE_URL", "CINELAKE_LAKE"):
        env.pop(var, None)
    command = [sys.executable, "-m", "cinelake.cli", "demo", "--lake", "lake", "--out", "reports"]
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"cinelake demo failed: {done.stderr.strip().splitlines()[-1:]}")
    match = re.search(r"total\s*[│|]\s*([\d.]+)", done.stdout)
    if match is None:
        raise SystemExit("no total in the demo's step table")
    print(done.stdout.split("╭")[0].rstrip())
    return float(match[1])


def report(title: str, figures: dict[str, dict[str, tuple[float, float]]]) -> None:
    print(f"\n{title}")
    print(f"{'job':<20}{'engine':<8}{'seconds':>10}{'peak RSS MB':>14}")
    for engine, jobs in figures.items():
        for job, (seconds, rss) in jobs.items():
            print(f"{job:<20}{engine:<8}{seconds:>10.1f}{rss:>14.0f}")
    duck = sum(s for s, _ in figures["duckdb"].values())
    if "files" in figures:
        for job in JOBS:
            ratio = figures["duckdb"][job][0] / figures["files"][job][0]
            print(f"{job}: Iceberg commits / files only: {ratio:.2f}x")
        files = sum(s for s, _ in figures["files"].values())
        ratio = duck / files
        print(f"both jobs: Iceberg {duck:.1f} s, files only {files:.1f} s: {ratio:.2f}x (target <= 1.2x)")
    if "spark" in figures:
        spark = sum(s for s, _ in figures["spark"].values())
        print(f"both jobs: duckdb {duck:.1f} s, spark {spark:.1f} s: duckdb is {spark / duck:.1f}x faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--records", type=int, default=100_000, help="records of the generated lake (0: skip)"
    )
    parser.add_argument("--days", type=int, default=30, help="days the generated records spread over")
    parser.add_argument("--no-spark", action="store_true", help="DuckDB only")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of the Iceberg and files-only paths (median kept)"
    )
    parser.add_argument(
        "--spark-generated", action="store_true", help="run Spark on the generated lake too (slow)"
    )
    parser.add_argument("--no-demo", action="store_true", help="skip the cinelake demo figure")
    parser.add_argument("--dir", help="work folder (default: a temporary one, removed at the end)")
    args = parser.parse_args()
    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="cinelake-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"DuckDB memory limit: {os.environ.get('CINELAKE_DUCKDB_MEMORY_LIMIT', '1GB (default)')}; "
          f"{os.cpu_count()} cores")  # fmt: skip
    try:
        source = work / "snapshot-raw"
        movies = write_snapshot_lake(source, date(2026, 11, 26))
        figures = iceberg_and_files(source, work / "snapshot", args.repeat)
        if not args.no_spark:
            figures["spark"] = both_jobs(source, work / "snapshot", "spark")
        report(f"(a) packaged snapshot: {movies:,} TMDB movies + the demo CSV, one day", figures)

        if not args.no_demo:
            print(f"\n(b) cinelake demo (DuckDB engine): total {demo_total(work):.1f} s")

        if args.records:
            generated = work / "generated-raw"
            started = time.perf_counter()
            records, size = write_generated_lake(generated, args.records, args.days)
            print(f"\n(c) generated {records:,} records ({size / 2**30:.2f} GB) over {args.days} days "
                  f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
            big = iceberg_and_files(generated, work / "generated", args.repeat)
            if args.spark_generated and not args.no_spark:
                big["spark"] = both_jobs(generated, work / "generated", "spark")
            report(f"(c) generated lake: {records:,} TMDB records over {args.days} days", big)
    finally:
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == FILES_ONLY:
        files_only_child(sys.argv[2], sys.argv[3])
    else:
        main()
