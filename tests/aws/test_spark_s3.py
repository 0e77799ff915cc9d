"""The Spark engine on an ``s3://`` lake (moto in server mode), as a Glue job runs it.

pip's pyspark has no S3 filesystem, so the jobs stage their own files through local disk
(:mod:`cinelake.spark.lakeio`). On one small lake (the two days of tests/spark/lakes.py):

1. Spark's raw-to-trusted of the first day, in this process.
2. Two runs of the Glue entry script in a subprocess, forced over every day, each SIGKILLed a random
   delay after a dataset's start (:data:`KILL_AFTER`): after each, every Trusted table read through
   Iceberg holds the first day's rows or the whole run's, nothing between.
3. The rerun as Glue runs it: the Glue stand-in runs the entry scripts on the bucket with the
   ``awsglue`` test double (so ``in_glue()``, ``getResolvedOptions`` and ``Job.init``/``commit`` run),
   every S3 and Glue call checked against GlueJobRole.

Then the lake equals the DuckDB engine's on a folder with the same Raw files.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cinelake.lake.store import Lake
from cinelake.tables.registry import TRUSTED_TABLES
from tests.aws import iam_audit
from tests.aws.stack import REPO, TransformRun, load_template, run_transform
from tests.spark.lakes import DAY1, build_raw
from tests.transform.compare import datasets, differences, rows

pytestmark = [pytest.mark.integration, pytest.mark.spark, pytest.mark.slow]

# Progress lines of a forced run that start a dataset, one per kill (each a JVM launch): the first
# dataset's (the kill lands in its staging or its commit, with nothing of this run committed yet) and
# the third's (the first datasets' commits done or under way: a lake half rewritten). The fourth
# dataset is always still to do when a kill lands. Every dataset is staged and committed by the same
# code, so a kill after the second dataset's start would go through the same paths again.
KILL_AFTER = ("TMDB/Movies: ", "Local/Movies: ")
KILLS = len(KILL_AFTER)
MAX_DELAY = 2.0


@dataclass
class Kill:
    after: str  # the progress line the kill followed
    delay: float
    returncode: int
    said: list[str]
    trusted: dict[str, list[str]]  # table folder -> its rows, read through Iceberg after the kill


@dataclass
class S3Lake:
    lake: Lake
    reference: Lake  # the DuckDB engine on a folder with the same Raw files
    database: str
    day1: dict[str, list[str]] = field(default_factory=dict)
    kills: list[Kill] = field(default_factory=list)
    glue: list[TransformRun] = field(default_factory=list)
    jobs: list[Any] = field(default_factory=list)  # the awsglue double's Job objects
    seed: int = 0


def _trusted(lake: Lake) -> dict[str, list[str]]:
    return {t.rel: rows(lake, t.rel) for t in TRUSTED_TABLES}


def _current_files(lake: Lake, name: str) -> list[tuple[str, str]]:
    """(table folder, data file URL) of the current snapshot of the Refined table ``name``."""
    from cinelake.tables.registry import refined_table
    from cinelake.tables.store import data_files

    table = refined_table(name)
    return [(table.rel, url) for url in data_files(lake, table)]


def _killed_run(lake: Lake, env: dict[str, str], after: str, rng: random.Random) -> Kill:
    """The Glue entry script over every day (forced), killed a random delay after the dataset ``after``
    (its progress line) starts."""
    delay = rng.uniform(0, MAX_DELAY)
    script = REPO / "glue" / "raw_to_trusted.py"
    command = [sys.executable, str(script), "--lake", lake.url, "--force", "true"]
    said: list[str] = []
    errors = Path(env["TMPDIR"]) / f"stderr-{uuid.uuid4().hex[:8]}.txt"
    with errors.open("w") as stderr, subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True
    ) as job:
        assert job.stdout is not None
        deadline = time.monotonic() + 120
        for line in job.stdout:
            said.append(line.rstrip("\n"))
            if line.startswith(after) and "day(s)" in line:
                time.sleep(delay)
                job.send_signal(signal.SIGKILL)
                break
            assert time.monotonic() < deadline, f"the job never started {after}: {said}"
        returncode = job.wait(timeout=60)
    if returncode != -signal.SIGKILL:  # the job failed or ended on its own: its last lines say why
        said += errors.read_text().splitlines()[-5:]
    return Kill(after.strip(), delay, returncode, said, _trusted(lake))


@pytest.fixture(scope="module")
def s3_lake(
    spark_session: Any, moto_server: str, real_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    import boto3

    from cinelake.config import get_settings
    from cinelake.engines import raw_to_trusted, trusted_to_refined
    from cinelake.spark import raw_to_trusted as spark_raw_to_trusted

    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    database = bucket.replace("-", "_")
    env = {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": moto_server,
        "CINELAKE_S3_ENDPOINT_URL": moto_server, "CINELAKE_CATALOG_DATABASE": database,
    }  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        get_settings.cache_clear()
        boto3.client("s3").create_bucket(Bucket=bucket)
        boto3.client("glue").create_database(DatabaseInput={"Name": database})
        lake = Lake(f"s3://{bucket}")
        build_raw(lake, real_data)
        reference = Lake(str(tmp_path_factory.mktemp("duckdb")))
        build_raw(reference, real_data)
        raw_to_trusted(reference)
        trusted_to_refined(reference)

        found = S3Lake(lake, reference, database, seed=int(os.environ.get("CINELAKE_KILL_SEED", "0")) or
                       random.randrange(1, 2**31))  # fmt: skip
        spark_raw_to_trusted(lake, day=DAY1, spark=spark_session)
        found.day1 = _trusted(lake)

        rng = random.Random(found.seed)
        # TMPDIR: the staging folders the killed jobs leave stay in the test's own temp folder.
        job_env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
            "TMPDIR": str(tmp_path_factory.mktemp("killed-jobs")),
        }
        for after in KILL_AFTER:
            found.kills.append(_killed_run(lake, job_env, after, rng))

        role = iam_audit.Policy.of_role(
            load_template(), "GlueJobRole", {"BucketName": bucket, "GlueDatabaseName": database}, ""
        )
        arguments = {"--lake": lake.url, "--database": database, "--enable-glue-datacatalog": "true"}
        for script in ("raw_to_trusted.py", "trusted_to_refined.py"):
            found.glue.append(
                run_transform(REPO / "glue" / script, arguments, endpoint=moto_server,
                              workdir=tmp_path_factory.mktemp("glue"), role=role, on_s3=True)
            )  # fmt: skip
        found.jobs = [job for run in found.glue for job in run.glue_jobs]
        yield found
    get_settings.cache_clear()


def test_a_killed_write_leaves_the_previous_or_the_new_snapshot(s3_lake: S3Lake) -> None:
    whole = _trusted(s3_lake.reference)
    seed = f"CINELAKE_KILL_SEED={s3_lake.seed}"
    assert len(s3_lake.kills) == KILLS
    for kill in s3_lake.kills:
        assert kill.returncode == -signal.SIGKILL, (seed, kill.said)
        assert kill.said[0].startswith("this Spark has no s3:// filesystem: staging"), kill.said
        for rel, found in kill.trusted.items():
            assert found in (s3_lake.day1[rel], whole[rel]), (seed, kill.after, kill.delay, rel)
    # The first day alone differs from the whole run (two days of movies): the check can tell them apart.
    assert s3_lake.day1["Trusted/TMDB/PARQUET/Movies"] != whole["Trusted/TMDB/PARQUET/Movies"]


def test_the_rerun_on_glue_equals_the_duckdb_engine(s3_lake: S3Lake) -> None:
    """Trusted and Refined, every table, through Iceberg: the same schemas and rows as DuckDB's."""
    assert len(datasets(s3_lake.lake)) == 4 + 23
    assert differences(s3_lake.reference, s3_lake.lake) == []
    # Lineage names the lake's Raw files, not the staged copies.
    movies = rows(s3_lake.lake, "Trusted/TMDB/PARQUET/Movies")
    assert all("<lake>/Raw/TMDB/" in row for row in movies)


def test_the_glue_jobs_ran_their_glue_only_code(s3_lake: S3Lake) -> None:
    """The entry scripts took Glue's path: their arguments through ``getResolvedOptions`` (JOB_NAME
    among them), the run inside ``Job.init`` ... ``Job.commit``."""
    jobs = s3_lake.jobs
    assert [(j.name, j.committed) for j in jobs] == [("raw_to_trusted", True), ("trusted_to_refined", True)]
    assert jobs[0].args is not None and jobs[0].args["lake"] == s3_lake.lake.url
    assert jobs[0].args["database"] == s3_lake.database and jobs[0].args["JOB_NAME"] == "raw_to_trusted"


def test_the_glue_jobs_wrote_only_table_files_and_staged_nothing_in_the_bucket(s3_lake: S3Lake) -> None:
    """Every object the jobs wrote (their uploads included: each went through the audited proxy, which
    passed them against GlueJobRole) is a Trusted or Refined table file."""
    written = [key for run in s3_lake.glue for key in run.written]
    assert written and all(key.startswith(("Trusted/", "Refined/")) for key in written)
    # Refined is rebuilt whole: its data files are the staged uploads (what raw-to-trusted still had to
    # do after the kills depends on where they landed).
    refined = {f"{t}/{f.rsplit('/', 1)[-1]}" for t, f in _current_files(s3_lake.lake, "fact_movie")}
    assert refined and refined <= {k for k in written if k.startswith("Refined/fact_movie/")}
    assert not [key for key in s3_lake.lake.list_files("", include_hidden=True) if "-write-" in key]
