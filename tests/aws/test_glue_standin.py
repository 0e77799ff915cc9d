"""The Glue stand-in refuses what GlueJobRole does not grant, as Glue's S3 client would.

The scripts here are small Python jobs (no Spark): what is under test is the stand-in around them.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from tests.aws import iam_audit
from tests.aws.stack import GlueAccessDenied, load_template, run_transform, s3_objects

# The job writes through the lake's own client: files in the mirror, S3 calls on the bucket itself.
JOB = """
import argparse
from cinelake.lake.store import Lake
parser = argparse.ArgumentParser()
parser.add_argument("--lake")
parser.add_argument("--write", default="")
parser.add_argument("--remove", default="")
args, _ = parser.parse_known_args()
lake = Lake(args.lake)
for key in filter(None, args.write.split(",")):
    lake.write_bytes(key, b"written by the job")
for key in filter(None, args.remove.split(",")):
    lake.delete(key)
"""


@pytest.fixture()
def bucket(aws_env: str) -> str:
    """A bucket and the stack's Glue database (named after it), as a deploy makes them."""
    import boto3

    name = f"lake-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=aws_env)
    s3.create_bucket(Bucket=name)
    for key in ("Raw/TMDB/JSON/Movies/2026/11/26/m.json", "Trusted/TMDB/movies/old.parquet"):
        s3.put_object(Bucket=name, Key=key, Body=b"before")
    boto3.client("glue", endpoint_url=aws_env).create_database(DatabaseInput={"Name": database(name)})
    return name


def database(bucket: str) -> str:
    return bucket.replace("-", "_")


def glue_role(bucket: str) -> iam_audit.Policy:
    parameters = {"BucketName": bucket, "GlueDatabaseName": database(bucket)}
    return iam_audit.Policy.of_role(load_template(), "GlueJobRole", parameters, "")


def run(
    bucket: str, endpoint: str, tmp_path: Path, *, write: str = "", remove: str = "", on_s3: bool = False
) -> list[str]:
    """The job writing and removing these (comma-separated) keys; the keys changed."""
    script = tmp_path / "job.py"
    script.write_text(JOB)
    arguments = {"--lake": f"s3://{bucket}", "--database": database(bucket)}
    arguments |= {"--write": write, "--remove": remove}
    done = run_transform(
        script, arguments, endpoint=endpoint, workdir=tmp_path, role=glue_role(bucket), on_s3=on_s3
    )
    return sorted(done.written + done.deleted)


@pytest.mark.parametrize("on_s3", [False, True], ids=["mirror", "bucket"])
def test_writes_and_deletes_the_role_grants_are_put_back(
    bucket: str, aws_env: str, tmp_path: Path, on_s3: bool
) -> None:
    changed = run(
        bucket,
        aws_env,
        tmp_path,
        write="Refined/fact_movie/part-0.parquet",
        remove="Trusted/TMDB/movies/old.parquet",
        on_s3=on_s3,
    )
    assert changed == ["Refined/fact_movie/part-0.parquet", "Trusted/TMDB/movies/old.parquet"]
    assert set(s3_objects(aws_env, bucket)) == {
        "Raw/TMDB/JSON/Movies/2026/11/26/m.json",
        "Refined/fact_movie/part-0.parquet",
    }


@pytest.mark.parametrize("on_s3", [False, True], ids=["mirror", "bucket"])
@pytest.mark.parametrize(
    ("flag", "key", "action"),
    [
        ("write", "Raw/TMDB/JSON/Movies/2026/11/26/m.json", "s3:PutObject"),
        ("write", "_athena/results.csv", "s3:PutObject"),
        ("remove", "Raw/TMDB/JSON/Movies/2026/11/26/m.json", "s3:DeleteObject"),
    ],
)
def test_a_write_outside_the_roles_prefixes_fails_the_job(
    bucket: str, aws_env: str, tmp_path: Path, flag: str, key: str, action: str, on_s3: bool
) -> None:
    """Before, the stand-in dropped such writes silently and the job succeeded. On the bucket itself
    (the Spark jobs' way, the uploads of their staged files included) each S3 call is checked."""
    before = s3_objects(aws_env, bucket)
    with pytest.raises(GlueAccessDenied, match=re.escape(f"{action} on arn:aws:s3:::{bucket}/{key}")):
        if flag == "write":
            run(bucket, aws_env, tmp_path, write=f"Trusted/TMDB/movies/new.parquet,{key}", on_s3=on_s3)
        else:
            run(bucket, aws_env, tmp_path, write="Trusted/TMDB/movies/new.parquet", remove=key, on_s3=on_s3)
    if not on_s3:
        assert s3_objects(aws_env, bucket) == before  # the refused run puts back nothing


def test_glue_reads_the_script_and_modules_as_the_role(bucket: str, aws_env: str, tmp_path: Path) -> None:
    template = load_template()
    resolver = iam_audit.Resolver(template, {"BucketName": bucket, "TransformEngine": "glue"})
    needs = iam_audit.glue_job_needs(resolver, "RawToTrustedJob")
    assert [n.resource for n in needs] == [
        f"arn:aws:s3:::{bucket}/glue/raw_to_trusted.py",
        f"arn:aws:s3:::{bucket}/glue/cinelake-0.1.0-py3-none-any.whl",
    ]
    script = tmp_path / "job.py"
    script.write_text(JOB)
    elsewhere = [iam_audit.Need("s3:GetObject", f"arn:aws:s3:::{bucket}/_athena/job.py")]
    arguments = {"--lake": f"s3://{bucket}", "--database": database(bucket)}
    with pytest.raises(GlueAccessDenied, match=re.escape("_athena/job.py")):
        run_transform(script, arguments, endpoint=aws_env, workdir=tmp_path,
                      role=glue_role(bucket), needs=elsewhere)  # fmt: skip
    done = run_transform(script, arguments, endpoint=aws_env, workdir=tmp_path,
                         role=glue_role(bucket), needs=needs)  # fmt: skip
    assert done.written == done.deleted == []
