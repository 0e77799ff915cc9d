"""The Glue/EMR entry points: job arguments and a whole run through one of them."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from cinelake.spark.entry import job_arguments, wordcount_main


def test_job_arguments_outside_glue() -> None:
    argv = ["job.py", "--JOB_NAME", "x", "--lake", "/data/lake", "--force", "true", "--extra", "1"]
    args = job_arguments(argv, required=["lake"], optional={"date": None, "force": "false"})
    assert args == {"lake": "/data/lake", "date": None, "force": "true"}
    with pytest.raises(SystemExit):
        job_arguments(["job.py"], required=["lake"], optional={})


def test_job_arguments_on_glue() -> None:
    """Glue's path, with the awsglue test double on the path (tests/aws/glue_runtime): the names asked
    for (JOB_NAME and the required ones, the optional ones given) through ``getResolvedOptions``, the
    optional ones not given at their defaults. The whole Glue entry runs in tests/aws/test_spark_s3.py."""
    from cinelake.spark.session import in_glue
    from tests.aws.stack import glue_runtime

    argv = ["job.py", "--JOB_NAME", "nightly", "--lake", "s3://b", "--force", "true", "--TempDir", "s3://t"]
    assert not in_glue()
    with glue_runtime():
        assert in_glue()
        args = job_arguments(argv, required=["lake"], optional={"date": None, "force": "false"})
        assert args == {"JOB_NAME": "nightly", "lake": "s3://b", "date": None, "force": "true"}
        from awsglue.utils import GlueArgumentError

        with pytest.raises(GlueArgumentError, match="JOB_NAME"):  # Glue always passes it
            job_arguments(["job.py", "--lake", "s3://b"], required=["lake"], optional={})
    assert not in_glue()


@pytest.mark.integration
@pytest.mark.spark
def test_wordcount_entry_writes_the_counts(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("to be or not to be\n")
    second.write_text("To see\r\n")
    out = tmp_path / "counts.csv"
    wordcount_main(["wordcount.py", "--paths", f"{first},{second}", "--out", str(out), "--top", "2"])
    with out.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["word", "count"], ["to", "3"], ["be", "2"], ["not", "1"], ["or", "1"], ["see", "1"]]
    printed = capsys.readouterr().out.splitlines()
    assert printed[:2] == ["to\t3", "be\t2"]


@pytest.mark.integration
@pytest.mark.spark
def test_the_wordcount_entry_on_glue_runs_inside_a_glue_job(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Glue's path of an entry, with the awsglue test double: the session from ``GlueContext``, the run
    between ``Job.init`` (the job's name and arguments) and ``Job.commit``, the counts written as
    Spark's folder of part files (what a Glue job writes to S3)."""
    import sys

    from tests.aws.stack import glue_runtime

    text = tmp_path / "a.txt"
    text.write_text("to be or not to be\n")
    out = tmp_path / "counts.csv"
    argv = ["wordcount.py", "--JOB_NAME", "cinelake-wordcount", "--paths", str(text), "--out", str(out)]
    with glue_runtime():
        wordcount_main(argv)
        (job,) = sys.modules["awsglue.job"].RUNS
    assert (job.name, job.committed) == ("cinelake-wordcount", True)
    assert job.args["paths"] == str(text) and job.args["top"] == "20"
    assert out.is_dir() and sorted(p.name for p in out.glob("part-*.csv"))
    assert capsys.readouterr().out.splitlines()[:2] == ["be\t2", "to\t2"]


def test_a_staged_copys_path_is_named_by_its_lake_url(tmp_path: Path) -> None:
    """On a Spark without an S3 filesystem the jobs read staged copies; errors name the lake's files."""
    from cinelake.lake.store import Lake
    from cinelake.spark.lakeio import SparkLakeIO

    staged = SparkLakeIO(Lake("s3://my-lake/zone"), str(tmp_path))
    copy = f"{tmp_path}/in/Raw/Local/CSV/Movies/2026/11/26"
    assert staged.lake_names(f"{copy}: not the challenge's movies CSV") == (
        "s3://my-lake/zone/Raw/Local/CSV/Movies/2026/11/26: not the challenge's movies CSV"
    )
    assert SparkLakeIO(Lake(str(tmp_path))).lake_names(copy) == copy  # a folder lake: read in place
