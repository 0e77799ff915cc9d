"""Fixtures shared by every test folder. Each folder keeps its own fixtures in its own conftest."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Spark and anything else that binds must stay on the loopback interface.
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
# Never let a developer's real credentials or lake leak into a test.
for _var in ("TMDB_READ_ACCESS_TOKEN", "TMDB_API_KEY", "TMDB_BASE_URL", "CINELAKE_LAKE"):
    os.environ.pop(_var, None)

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data in ../shared/data (present on developer machines and in CI)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server (S3, Glue, Secrets Manager, SSM, Athena...) on 127.0.0.1; yields its endpoint URL."""
    from tests.support.moto import running_moto_server

    with running_moto_server() as endpoint:
        yield endpoint


@pytest.fixture()
def aws_env(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point boto3 / s3fs at the moto server with dummy credentials; yields the endpoint URL."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("CINELAKE_S3_ENDPOINT_URL", moto_server)
    return moto_server
