"""Fixtures for the lake tests: one lake per store (local folder, memory://, s3:// on moto)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cinelake.lake.store import Lake


def make_s3_lake(endpoint: str) -> Lake:
    import boto3

    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
    return Lake(f"s3://{bucket}/root", s3_endpoint_url=endpoint)


@pytest.fixture()
def local_lake(tmp_path: Path) -> Lake:
    return Lake(str(tmp_path / "lake"))


@pytest.fixture()
def memory_lake() -> Iterator[Lake]:
    lake = Lake(f"memory://t{uuid.uuid4().hex[:10]}")
    yield lake
    lake.delete("")


@pytest.fixture()
def s3_lake(aws_env: str) -> Lake:
    return make_s3_lake(aws_env)


@pytest.fixture(params=["local", "memory", pytest.param("s3", marks=pytest.mark.integration)])
def any_lake(request: pytest.FixtureRequest) -> Lake:
    """The same test against each store the lake supports."""
    name = {"local": "local_lake", "memory": "memory_lake", "s3": "s3_lake"}[request.param]
    lake: Lake = request.getfixturevalue(name)
    return lake
