"""SIGKILL at random points in the TMDB ingest, the crawl and each job of both engines, then rerun to
the end: the lake's data files and its catalog equal those of a run that was never interrupted. And
two transforms started at once on one lake: one commits, the other commits after it on its snapshot
or stops with one line; nothing is lost or doubled."""

from __future__ import annotations

import random
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cinelake.lake.store import Lake
from cinelake.tmdb.server import configure
from tests.reliability.cli import CINELAKE, assert_one_line_error, cli_env
from tests.reliability.conftest import TOKEN, demo_csv
from tests.reliability.figures import FIGURES
from tests.reliability.kill import (
    catalog_files,
    iceberg_tables,
    kill_at,
    kill_points,
    kill_when,
    run_to_end,
)
from tests.reliability.lakecheck import (
    assert_every_title_once,
    file_tree,
    manifest_of,
    raw_records,
    temp_files,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAY = "2026-11-26"
INGEST_KILLS = 14
CRAWL_KILLS = 6
BOOKKEEPING = ("Raw/TMDB/_runs", "_locks")


def ingest_args(lake: str) -> list[str]:
    """Every title released 1995-2003 in the offline snapshot: 2,021 ids, 21 chunks."""
    return [
        "ingest", "tmdb", "--discover", "--genres", "all", "--from", "1995-01-01", "--to", "2003-12-31",
        "--lake", lake, "--date", DAY, "--rate-limit", "0",
    ]  # fmt: skip


def checkpoints(root: Path) -> int:
    return sum(1 for _ in root.glob("Raw/TMDB/_runs/*/chunks/*.json"))


def test_sigkill_during_tmdb_ingest_then_rerun_equals_a_clean_run(tmdb: str, tmp_path: Path) -> None:
    """Each attempt is killed once it has checkpointed a new chunk, after a random extra moment (up to
    0.2 s, while the next chunks' requests and writes are in flight)."""
    env = {"TMDB_READ_ACCESS_TOKEN": TOKEN, "TMDB_BASE_URL": tmdb}
    duration = run_to_end(ingest_args("clean"), cwd=tmp_path, env=env)
    rng = random.Random(20261126)
    lake_root = tmp_path / "lake"
    landed = 0
    configure(tmdb, latency_ms=40)  # the killed attempts have requests and writes in flight
    for _ in range(INGEST_KILLS):
        before = checkpoints(lake_root)
        landed += kill_at_progress(lake_root, before, rng.uniform(0.0, 0.2), tmp_path, env)
        # Whatever the kill interrupted, every visible file is whole.
        raw_records(Lake(str(lake_root)))
    configure(tmdb, latency_ms=0)
    run_to_end(ingest_args("lake"), cwd=tmp_path, env=env)
    clean, killed = Lake(str(tmp_path / "clean")), Lake(str(lake_root))
    run = next(p.name for p in (tmp_path / "clean/Raw/TMDB/_runs").iterdir())
    manifest = manifest_of(killed, run)
    assert manifest.status == "complete"
    assert_every_title_once(killed, manifest)
    assert manifest.counts == manifest_of(clean, run).counts
    assert file_tree(lake_root, skip=BOOKKEEPING) == file_tree(tmp_path / "clean", skip=BOOKKEEPING)
    assert temp_files(lake_root) == []
    assert landed == INGEST_KILLS
    FIGURES["kill_ingest"] = {
        "kills": INGEST_KILLS,
        "landed": landed,
        "clean_run_s": round(duration, 1),
        "lost": 0,
    }


def kill_at_progress(lake_root: Path, before: int, extra: float, cwd: Path, env: dict[str, str]) -> bool:
    return kill_when(ingest_args("lake"), lambda: checkpoints(lake_root) > before, extra, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def raw_lake(tmp_path_factory: pytest.TempPathFactory, tmdb_process: str) -> Path:
    """A lake with Raw local CSV and Raw TMDB files (from the first 400 rows of the demo CSV)."""
    root = tmp_path_factory.mktemp("raw")
    lines = demo_csv().read_bytes().splitlines(keepends=True)
    (root / "movies.csv").write_bytes(b"".join(lines[:400]))
    env = {"TMDB_READ_ACCESS_TOKEN": TOKEN, "TMDB_BASE_URL": tmdb_process}
    run_to_end(["ingest", "local", "movies.csv", "--lake", "lake", "--date", DAY], cwd=root, env=env)
    run_to_end(
        [
            "ingest",
            "tmdb",
            "--from-csv",
            "movies.csv",
            "--genres",
            "all",
            "--lake",
            "lake",
            "--date",
            DAY,
            "--rate-limit",
            "0",
        ],
        cwd=root,
        env=env,
    )
    return root / "lake"


def test_sigkill_during_crawl_then_rerun_equals_a_clean_catalog(raw_lake: Path, tmp_path: Path) -> None:
    shutil.copytree(raw_lake, tmp_path / "clean")
    shutil.copytree(raw_lake, tmp_path / "lake")
    duration = run_to_end(["catalog", "crawl", "--lake", "clean"], cwd=tmp_path)
    rng = random.Random(7)
    # The crawl is short: a kill drawn after it ended does not count; draw again (bounded).
    landed = attempts = 0
    while landed < CRAWL_KILLS and attempts < 5 * CRAWL_KILLS:
        attempts += 1
        landed += kill_at(
            ["catalog", "crawl", "--lake", "lake"], kill_points(rng, 1, duration)[0], cwd=tmp_path
        )
    assert landed == CRAWL_KILLS
    run_to_end(["catalog", "crawl", "--lake", "lake"], cwd=tmp_path)
    assert catalog_files(tmp_path / "lake") == catalog_files(tmp_path / "clean")
    assert temp_files(tmp_path / "lake") == []
    FIGURES["kill_crawl"] = {
        "kills": CRAWL_KILLS,
        "landed": landed,
        "clean_run_s": round(duration, 1),
        "lost": 0,
    }


SPARK_JOBS = (("raw-to-trusted", "Trusted"), ("trusted-to-refined", "Refined"))


def _said(stderr: Path, line: str) -> Callable[[], bool]:
    """True once the killed run has written ``line`` (a progress line, ``<job>: <step>``)."""
    return lambda: stderr.exists() and line in stderr.read_text(errors="replace").splitlines()


# Three kills in all, each a JVM launch (about 10 s of CPU; the clean runs and the reruns run in the
# warm session): see the test's docstring for what each one covers.
SPARK_KILLS = {"raw-to-trusted": 2, "trusted-to-refined": 1}
KILL_STEP_SHARE = 0.25
"""A kill lands at most this share of a warm session's average step after its line: the next step
(a small dataset or table is a fraction of the average) is still at work."""


def spark_kill_lines(steps: list[str], kills: int, rng: random.Random) -> list[str]:
    """One progress line of the clean run per kill, drawn at random from the ``kill``-th of ``kills``
    equal bands of its lines (the last one left out: the job is at work after the line drawn), so the
    kills are spread over the job."""
    lines = steps[:-1]
    return [rng.choice(lines[k * len(lines) // kills : (k + 1) * len(lines) // kills]) for k in range(kills)]


@pytest.mark.spark
@pytest.mark.timeout(900)
def test_sigkill_during_each_spark_job_then_rerun_equals_a_clean_run(
    raw_lake: Path, tmp_path: Path, spark: Any
) -> None:
    """Three kills of `cinelake spark <job>` (:data:`SPARK_KILLS`), each a random moment after one of
    its progress lines (:func:`spark_kill_lines`; up to a quarter of a step's average time in a warm
    session later, :data:`KILL_STEP_SHARE`), while the job writes and commits. After each kill every
    table a reader sees is the one before the run or the clean run's (never a mix, never part of a
    day); the rerun gives a clean run's tables.

    What the kills cover: raw-to-trusted says when it starts each dataset and when it committed it
    (this lake has TMDB and local movies: four lines). Its first kill follows the first dataset's
    start: that dataset's write or commit is cut, nothing of the run committed. Its second follows the
    first dataset's commit or the second's start: the first dataset is committed and the second cut
    (a lake half new, half old, each table whole). trusted-to-refined says each table it committed;
    its kill follows one of them, cutting the next table's write or commit. Every dataset and table
    of both jobs is written by the engine's one write and committed by the one commit of
    :mod:`cinelake.tables.store`, so further kills after other lines go through the same code; the
    DuckDB test below kills each job five times, on the same commit.

    Killing after a line the killed run itself wrote (rather than a delay measured from its start)
    makes each kill land while the job is at work, however slowly its fresh JVM goes. The clean runs
    and the reruns go through the same job functions in this test's warm Spark session (a JVM launch
    costs more than the work on this lake); only the killed runs are separate processes.
    raw-to-trusted is killed with --force so each attempt rewrites the partitions."""
    from cinelake.engines import raw_to_trusted, trusted_to_refined

    shutil.copytree(raw_lake, tmp_path / "clean")
    shutil.copytree(raw_lake, tmp_path / "lake")
    run = {"raw-to-trusted": raw_to_trusted, "trusted-to-refined": trusted_to_refined}
    rng = random.Random(11)
    landed: dict[str, int] = {}
    durations: dict[str, float] = {}
    for job, zone in SPARK_JOBS:
        steps: list[str] = []
        started = time.monotonic()
        run[job](Lake(str(tmp_path / "clean")), engine="spark", spark=spark, progress=steps.append)
        durations[job] = time.monotonic() - started
        clean = iceberg_tables(tmp_path / "clean", zone)
        assert clean and len(steps) > SPARK_KILLS[job], steps
        landed[job] = 0
        for attempt, step in enumerate(spark_kill_lines(steps, SPARK_KILLS[job], rng) * 3):
            if landed[job] == SPARK_KILLS[job]:
                break  # a kill drawn after the job ended does not count: the next point is tried
            stderr = tmp_path / f"{job}-{attempt}.err"
            args = ["spark", job, "--lake", "lake", *(["--force"] if job == "raw-to-trusted" else [])]
            extra = rng.uniform(0.0, KILL_STEP_SHARE) * durations[job] / len(steps)
            if not kill_when(args, _said(stderr, f"{job}: {step}"), extra, cwd=tmp_path, stderr=stderr):
                continue
            landed[job] += 1
            seen = iceberg_tables(tmp_path / "lake", zone)
            assert all(rows == clean[rel] for rel, rows in seen.items()), (job, step, landed[job])
            run[job](Lake(str(tmp_path / "lake")), engine="spark", spark=spark)
            assert iceberg_tables(tmp_path / "lake", zone) == clean, (job, step, landed[job])
    assert landed == SPARK_KILLS
    assert temp_files(tmp_path / "lake") == []
    # A killed Spark write leaves its hidden .spark-write-* folder: files of no snapshot, never read.
    staging = [p for p in (tmp_path / "lake").rglob(".spark-write-*")]
    FIGURES["kill_spark"] = {
        "kills": sum(landed.values()),
        "landed": landed,
        "clean_run_in_session_s": {k: round(v, 1) for k, v in durations.items()},
        "spark_write_folders_left": len(staging),
        "lost": 0,
    }


DUCKDB_KILLS = 5


@pytest.mark.timeout(900)
def test_sigkill_during_each_duckdb_job_then_each_rerun_equals_a_clean_run(
    raw_lake: Path, tmp_path: Path
) -> None:
    """At least five kills in each job of the DuckDB engine at random points of its work and commits
    (once it said its first step, up to 0.6 s later: on this lake the work takes a fraction of a
    second after a second of Python start-up). After each kill every table a reader sees is either
    the one before the run or the clean run's (the data is the same: never a mix of the two, never
    part of a day); the rerun must give a clean run's tables.

    raw-to-trusted is killed with --force (so each attempt rewrites the partitions) and rerun without
    it: a dataset the killed run committed is kept, one it did not reach is redone.

    The clean runs and the reruns call the job functions `cinelake transform <job>` calls, in this
    process (as the Spark test does: a process start costs more than the work on this lake); only the
    killed runs are `cinelake` processes."""
    from cinelake.engines import raw_to_trusted, trusted_to_refined

    shutil.copytree(raw_lake, tmp_path / "clean")
    shutil.copytree(raw_lake, tmp_path / "lake")
    run = {"raw-to-trusted": raw_to_trusted, "trusted-to-refined": trusted_to_refined}
    rng = random.Random(20261129)
    durations: dict[str, float] = {}
    landed: dict[str, int] = {}
    for job, zone in (("raw-to-trusted", "Trusted"), ("trusted-to-refined", "Refined")):
        started = time.monotonic()
        run[job](Lake(str(tmp_path / "clean")), engine="duckdb")
        durations[job] = time.monotonic() - started
        clean = iceberg_tables(tmp_path / "clean", zone)
        assert clean
        landed[job] = 0
        for attempt in range(4 * DUCKDB_KILLS):
            if landed[job] == DUCKDB_KILLS:
                break
            extra = ["--force"] if job == "raw-to-trusted" else []
            args = ["transform", job, "--lake", "lake", *extra]
            stderr = tmp_path / f"{job}-{attempt}.err"
            step = "day(s) (" if job == "raw-to-trusted" else " rows"
            started = lambda err=stderr, said=step: err.exists() and said in err.read_text(errors="replace")  # noqa: E731
            if not kill_when(args, started, rng.uniform(0.0, 0.6), cwd=tmp_path, stderr=stderr):
                continue  # the run ended first: not a kill
            landed[job] += 1
            seen = iceberg_tables(tmp_path / "lake", zone)
            assert all(rows == clean[rel] for rel, rows in seen.items()), (job, landed[job])
            run[job](Lake(str(tmp_path / "lake")), engine="duckdb")
            assert iceberg_tables(tmp_path / "lake", zone) == clean, (job, landed[job])
        assert landed[job] == DUCKDB_KILLS, landed
    assert temp_files(tmp_path / "lake") == []
    FIGURES["kill_duckdb"] = {
        "kills": sum(landed.values()),
        "landed": landed,
        "clean_run_in_process_s": {k: round(v, 1) for k, v in durations.items()},
        "lost": 0,
    }


@pytest.mark.timeout(300)
def test_two_transforms_at_once_on_one_lake_lose_and_double_nothing(raw_lake: Path, tmp_path: Path) -> None:
    """`cinelake transform <job>` twice at the same moment, in two processes, on one lake (raw-to-trusted
    with --force, so both have every day to write): each either commits (on the other's snapshot when
    it comes second: the catalog refuses a stale commit and the commit is redone) or stops with one
    error line; at least one commits, and every table equals a clean run's."""
    shutil.copytree(raw_lake, tmp_path / "clean")
    shutil.copytree(raw_lake, tmp_path / "lake")
    outcomes: dict[str, list[int]] = {}
    for job, zone in (("raw-to-trusted", "Trusted"), ("trusted-to-refined", "Refined")):
        run_to_end(["transform", job, "--lake", "clean"], cwd=tmp_path)
        clean = iceberg_tables(tmp_path / "clean", zone)
        assert clean
        extra = ["--force"] if job == "raw-to-trusted" else []
        both = [
            subprocess.Popen(
                [CINELAKE, "transform", job, "--lake", "lake", *extra],
                cwd=tmp_path,
                env=cli_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        done = [subprocess.CompletedProcess(p.args, p.wait(240), *p.communicate()) for p in both]
        outcomes[job] = [d.returncode for d in done]
        assert 0 in outcomes[job], [d.stderr[-1500:] for d in done]
        for finished in done:
            if finished.returncode != 0:
                assert_one_line_error(finished)
        assert iceberg_tables(tmp_path / "lake", zone) == clean, job
    assert temp_files(tmp_path / "lake") == []
    FIGURES["two_transforms_at_once"] = {"exit_codes": outcomes, "lost": 0, "doubled": 0}
