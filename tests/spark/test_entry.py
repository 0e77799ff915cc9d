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
def test_the_glue_entry_on_an_s3_lake_says_this_spark_cannot_reach_it(
    spark: Any, aws_env: str, real_data: Path
) -> None:
    """Glue's path with its own arguments (``--lake s3://...``) on pip's pyspark, which has no S3
    filesystem: one line saying so, and nothing written. This is why the Glue stand-in of
    tests/aws/stack.py runs the job over a folder mirroring the bucket."""
    import uuid

    import boto3

    from cinelake.lake.store import Lake
    from cinelake.spark.entry import raw_to_trusted_main
    from cinelake.spark.errors import SparkLakeError
    from tests.aws.stack import s3_objects
    from tests.spark.lakes import build_raw

    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=aws_env).create_bucket(Bucket=bucket)
    build_raw(Lake(f"s3://{bucket}", s3_endpoint_url=aws_env), real_data)
    before = s3_objects(aws_env, bucket)
    refusal = r"^this Spark has no s3:// filesystem .*run the job on AWS Glue"
    with pytest.raises(SparkLakeError, match=refusal):
        raw_to_trusted_main(["raw_to_trusted.py", "--lake", f"s3://{bucket}", "--catalog", "none"])
    assert s3_objects(aws_env, bucket) == before
