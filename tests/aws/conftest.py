"""Fixtures for running the handler as Lambda runs it: moto (S3, Secrets Manager), the offline TMDB
server, and a runtime (awslambdaric) process per function, fed by the Runtime API harness."""

from __future__ import annotations

import os
import secrets
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.aws.runtime_api import Invocation, RuntimeAPI, RuntimeProcess, base_env, run_until_idle

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def planted_secret() -> str:
    """A unique v4-token-shaped secret: if it shows up anywhere, a test sees it."""
    return f"eyJhbGciOiJIUzI1NiJ9.{secrets.token_urlsafe(24)}.{secrets.token_urlsafe(16)}"


@pytest.fixture(scope="session")
def tmdb_server(planted_secret: str) -> Iterator[str]:
    """The offline TMDB server on 127.0.0.1, accepting only the planted secret; yields its base URL.

    In its own process, so it does not share a GIL with moto and the harness.
    """
    from cinelake.tmdb.server import serve_in_subprocess

    with serve_in_subprocess(token=planted_secret) as base_url:
        yield base_url


@dataclass
class LambdaRun:
    """The invocations a runtime served, its log lines, and where it wrote."""

    invocations: list[Invocation]
    lines: list[str]
    bucket: str
    starts: int
    workdir: Path
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class LambdaRunner:
    """Deploys nothing: makes a bucket and a secret in moto and runs the handler in awslambdaric."""

    endpoint: str
    tmdb_url: str
    secret: str
    root: Path

    def new_bucket(self) -> str:
        import boto3

        name = f"lake-{uuid.uuid4().hex[:12]}"
        boto3.client("s3", endpoint_url=self.endpoint).create_bucket(Bucket=name)
        return name

    def new_secret(self, value: str | None = None) -> str:
        import boto3

        name = f"cinelake-{uuid.uuid4().hex[:8]}/tmdb"
        body = value if value is not None else f'{{"read_access_token": "{self.secret}"}}'
        boto3.client("secretsmanager", endpoint_url=self.endpoint).create_secret(Name=name, SecretString=body)
        return name

    def run(
        self,
        events: list[Any],
        *,
        bucket: str,
        secret_id: str | None = None,
        timeout_ms: int = 900_000,
        env: Mapping[str, str] | None = None,
        cold: bool = False,
        limit: int = 50,
        launcher: Callable[[Path], list[str]] | None = None,
        handler: str = "cinelake.aws.lambda_handler.handler",
    ) -> LambdaRun:
        workdir = self.root / uuid.uuid4().hex[:8]
        task, home, tmp = workdir / "task", workdir / "home", workdir / "tmp"
        for folder in (task, home, tmp):
            folder.mkdir(parents=True)
        with RuntimeAPI(timeout_ms=timeout_ms) as api:
            variables = {
                "PYTHONPATH": os.pathsep.join([str(REPO), *sys.path[1:]]),
                "HOME": str(home),
                "TMPDIR": str(tmp),
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_REGION": "us-east-1",
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ENDPOINT_URL_LAMBDA": api.url,
                "CINELAKE_S3_ENDPOINT_URL": self.endpoint,
                "BUCKET": bucket,
                "TMDB_SECRET_ID": secret_id or self.new_secret(),
                "TMDB_BASE_URL": self.tmdb_url,
                "SAFETY_MARGIN_SECONDS": "1",
            }
            variables.update(env or {})
            runtime = RuntimeProcess(
                api,
                base_env(variables),
                cwd=task,
                log_path=workdir / "runtime.log",
                handler=handler,
                launcher=launcher(workdir) if launcher else None,
            )
            for event in events:
                api.enqueue(event)
            done = run_until_idle(runtime, cold=cold, limit=limit, timeout=180)
        return LambdaRun(done, runtime.log_lines(), bucket, runtime.starts, workdir)


@pytest.fixture()
def lambda_runner(aws_env: str, tmdb_server: str, planted_secret: str, tmp_path: Path) -> LambdaRunner:
    return LambdaRunner(aws_env, tmdb_server, planted_secret, tmp_path)


def bucket_files(endpoint: str, bucket: str) -> dict[str, bytes]:
    """Every object of a bucket, name -> bytes."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint)
    found: dict[str, bytes] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            found[item["Key"]] = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return found
