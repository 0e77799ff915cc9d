"""Access: every object a TMDB ingestion writes or deletes in S3 is one the Lambda's role may write.

The role in template.yaml is least-privilege (tests/aws/test_template.py fails on any '*' action or
resource); this test checks the other side: that the job stays inside it. It runs an ingestion into a
moto bucket with S3 request logging and matches every PutObject / DeleteObject key against the
role's ``s3:PutObject`` / ``s3:DeleteObject`` resources.
"""

from __future__ import annotations

import fnmatch
import inspect
from pathlib import Path
from typing import Any

import pytest

from cinelake.ingest.tmdb import ingest_tmdb
from cinelake.lake.store import Lake
from tests.reliability.conftest import offline_settings, small_discover

pytestmark = pytest.mark.integration

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def role_patterns(action: str) -> list[str]:
    """The object-key patterns the ingest function's role allows ``action`` on (bucket prefix cut)."""
    from cfnlint.decode import cfn_yaml

    template: dict[str, Any] = cfn_yaml.load(str(TEMPLATE))
    role = next(
        r for r in template["Resources"].values()
        if r["Type"] == "AWS::IAM::Role" and "ingest" in str(r["Properties"].get("Policies", "")).lower()
        and "PutObject" in str(r["Properties"])
    )  # fmt: skip
    patterns = []
    for policy in role["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if statement["Effect"] != "Allow" or action not in actions:
                continue
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            for resource in resources:
                text = resource["Fn::Sub"] if isinstance(resource, dict) else str(resource)
                patterns.append(text.split("${BucketName}/", 1)[1])
    return patterns


def record_writes(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Every lake-relative path written (write, put-if-absent, a versioned put, copy) or deleted through
    any Lake."""
    seen: dict[str, list[str]] = {"put": [], "delete": []}
    for name, kind in (
        ("write_bytes", "put"),
        ("put_if_absent", "put"),
        ("put_versioned", "put"),
        ("copy_in", "put"),
        ("delete", "delete"),
        ("delete_versioned", "delete"),
    ):
        original = getattr(Lake, name)

        def wrapper(
            self: Lake, *args: Any, _original: Any = original, _kind: str = kind, **kwargs: Any
        ) -> Any:
            bound = inspect.signature(_original).bind(self, *args, **kwargs)
            seen[_kind].append(str(bound.arguments["rel"]))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Lake, name, wrapper)
    return seen


# Regression: the run's lease once lived at _locks/ in the lake root, outside the role's Raw/TMDB/*, so
# on AWS the Lambda's ingestion was refused (AccessDenied) at its first step.
def test_an_ingestion_writes_only_where_the_lambda_role_allows(
    aws_env: str, tmdb: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    bucket = "access-audit"
    boto3.client("s3", endpoint_url=aws_env).create_bucket(Bucket=bucket)
    lake = Lake(f"s3://{bucket}")
    put_patterns, delete_patterns = role_patterns("s3:PutObject"), role_patterns("s3:DeleteObject")
    assert put_patterns and delete_patterns
    request = small_discover()
    settings = offline_settings(tmdb)
    seen = record_writes(monkeypatch)
    result = ingest_tmdb(lake, request, settings)
    assert result.status == "complete" and result.written > 0
    assert seen["put"], "no write was seen: the audit proves nothing"
    denied_puts = sorted({k for k in seen["put"] if not any(fnmatch.fnmatchcase(k, p) for p in put_patterns)})
    denied_deletes = sorted(
        {k for k in seen["delete"] if not any(fnmatch.fnmatchcase(k, p) for p in delete_patterns)}
    )
    assert denied_puts == [], f"written outside the role's s3:PutObject resources: {denied_puts}"
    assert denied_deletes == [], f"deleted outside the role's s3:DeleteObject resources: {denied_deletes}"
