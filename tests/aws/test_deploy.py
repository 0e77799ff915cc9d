"""`cinelake aws package` / `deploy`: the wheel and Glue scripts are built and land where the template's
Glue jobs read them, with no manual copy."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import boto3
import pytest

from cinelake.aws import deploy
from cinelake.errors import UsageError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def glue_code(tmp_path_factory: pytest.TempPathFactory) -> deploy.GlueCode:
    return deploy.build_glue_code(tmp_path_factory.mktemp("glue"))


def test_the_wheel_is_the_one_the_template_installs(glue_code: deploy.GlueCode) -> None:
    assert glue_code.wheel.name == deploy.template_wheel(REPO / "template.yaml")
    assert [p.name for p in glue_code.scripts] == sorted(p.name for p in (REPO / "glue").glob("*.py"))


def test_deploy_uploads_what_every_glue_job_reads(glue_code: deploy.GlueCode, aws_env: str) -> None:
    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=aws_env)
    s3.create_bucket(Bucket=bucket)
    said: list[str] = []
    keys = deploy.deploy("cinelake", bucket, {}, glue_dir=glue_code.wheel.parent, sam=False, log=said.append)
    stored = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="glue/")["Contents"]}
    assert stored == set(keys)
    # every s3://${BucketName}/glue/... the template names (scripts and the wheel) is there now
    named = set(
        re.findall(r"s3://\$\{BucketName\}/(glue/[A-Za-z0-9_.-]+)", (REPO / "template.yaml").read_text())
    )
    assert named and named <= stored
    assert said[-1].startswith(f"uploaded s3://{bucket}/glue/")


def test_deploy_runs_sam_build_then_sam_deploy_with_the_parameters(tmp_path: Path) -> None:
    commands = deploy.sam_commands(
        "cinelake",
        "my-lake",
        {"Kinds": "movies", "NotificationEmail": "a@b.c"},
        template=REPO / "template.yaml",
    )
    assert [c[:2] for c in commands] == [["sam", "build"], ["sam", "deploy"]]
    overrides = commands[1][commands[1].index("--parameter-overrides") + 1 :]
    assert overrides == ["BucketName=my-lake", "Kinds=movies", "NotificationEmail=a@b.c"]
    assert "CAPABILITY_IAM" in commands[1]


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="invalid --parameter 'Kinds'"):
        deploy.parse_parameters(["Kinds"])
    with pytest.raises(UsageError, match="run `cinelake aws package` first"):
        deploy.deploy("cinelake", "my-lake", {}, glue_dir=tmp_path, sam=False)
    with pytest.raises(UsageError, match="--bucket"):
        deploy.deploy("cinelake", "my-lake", {"BucketName": "x"}, glue_dir=tmp_path)


def test_the_command_uploads_and_says_so(glue_code: deploy.GlueCode, aws_env: str) -> None:
    from typer.testing import CliRunner

    from cinelake.cli import app

    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=aws_env).create_bucket(Bucket=bucket)
    args = ["aws", "deploy", "--bucket", bucket, "--no-sam", "--glue-dir", str(glue_code.wheel.parent)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"uploaded 4 files to s3://{bucket}/glue/" in result.output
    bad = CliRunner().invoke(app, ["aws", "deploy", "--bucket", bucket, "--no-sam", "--parameter", "oops"])
    assert isinstance(bad.exception, UsageError) and "invalid --parameter 'oops'" in str(bad.exception)


def test_sam_runs_before_the_upload_and_a_failure_stops_it(
    glue_code: deploy.GlueCode, aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=aws_env).create_bucket(Bucket=bucket)
    ran: list[list[str]] = []

    def fake_sam(command: list[str], check: bool = False) -> subprocess.CompletedProcess[str]:
        ran.append(command)
        return subprocess.CompletedProcess(command, 0 if command[1] == "build" else 1)  # deploy fails

    monkeypatch.setattr(deploy.shutil, "which", lambda name: None)
    with pytest.raises(UsageError, match="sam"):
        deploy.deploy("cinelake", bucket, {}, glue_dir=glue_code.wheel.parent)
    monkeypatch.setattr(deploy.shutil, "which", lambda name: f"/usr/bin/{name}")
    with pytest.raises(deploy.DeployError, match="`sam deploy` failed"):
        deploy.deploy("cinelake", bucket, {}, glue_dir=glue_code.wheel.parent, run=fake_sam)
    assert [c[1] for c in ran] == ["build", "deploy"]
    assert "Contents" not in boto3.client("s3", endpoint_url=aws_env).list_objects_v2(Bucket=bucket)
