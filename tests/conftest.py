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
# Small real data cut from ../shared/data by scripts/cut_test_data.py; every test reads this.
REAL_DATA = REPO / "tests" / "data"
SHARED_DATA = REPO.parent / "shared" / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--large-data",
        nargs="?",
        const=str(SHARED_DATA),
        default=None,
        metavar="DIR",
        help="also run the tests marked large_data, on the full data in DIR (default ../shared/data)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without --large-data the large_data tests are deselected (not skipped): a clone runs the rest."""
    if config.getoption("--large-data"):
        return
    kept = [item for item in items if item.get_closest_marker("large_data") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i.get_closest_marker("large_data")])
        items[:] = kept


@pytest.fixture(scope="session")
def real_data() -> Path:
    """Small real data in tests/data (one folder per source, each with its SOURCE.md)."""
    return REAL_DATA


@pytest.fixture()
def shared_data(request: pytest.FixtureRequest) -> Path:
    """The full data given by --large-data, for the tests marked large_data only."""
    if request.node.get_closest_marker("large_data") is None:
        pytest.fail("shared_data is for tests marked large_data; read the small copy through real_data")
    folder = Path(request.config.getoption("--large-data"))
    if not folder.is_dir():
        pytest.fail(f"--large-data {folder}: no such folder")
    return folder


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
