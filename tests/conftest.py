"""Fixtures shared by every test folder. Each folder keeps its own fixtures in its own conftest."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Spark and anything else that binds must stay on the loopback interface.
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
# The tests' Spark jobs are short: the JIT's first tier and one GC thread use about a quarter less CPU
# for the same wall time (docs/spark.md), which the parallel workers share. CLI subprocesses inherit it.
os.environ.setdefault("CINELAKE_SPARK_JAVA_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
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
    """Without --large-data the large_data tests are deselected (not skipped): a clone runs the rest.

    Then the order and the groups for a parallel run (``pytest -n N --dist loadgroup``, as `make test`
    runs it; a serial run only sees the order): the Spark tests go first, in two groups that each keep
    to one worker and its one JVM; then the other slow tests; then the rest. Each module whose tests
    share a module-scoped fixture stays on one worker, so the fixture is built once."""
    if not config.getoption("--large-data"):
        kept = [item for item in items if item.get_closest_marker("large_data") is None]
        if len(kept) != len(items):
            config.hook.pytest_deselected(items=[i for i in items if i.get_closest_marker("large_data")])
            items[:] = kept
    items.sort(key=_run_rank)


def pytest_itemcollected(item: pytest.Item) -> None:
    """The worker group of each test (see pytest_collection_modifyitems), marked as it is collected:
    xdist reads the marks in a collection hook of its own that may run before this file's."""
    group = _worker_group(item)
    if group is not None:
        item.add_marker(pytest.mark.xdist_group(group))


def _uses_spark(item: pytest.Item) -> bool:
    return item.get_closest_marker("spark") is not None or "spark_session" in _fixture_scopes(item)


def _fixture_scopes(item: pytest.Item) -> dict[str, set[str]]:
    """Each fixture the test uses, directly or not, with the scopes of its definitions."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return {}
    return {n: {d.scope for d in info.name2fixturedefs.get(n, ())} for n in info.names_closure}


def _worker_group(item: pytest.Item) -> str | None:
    """``spark`` or ``spark-glue`` for the tests that need a Spark session, the module's path for a
    module whose tests share a module-scoped fixture, else None (the test goes to whichever worker is
    free)."""
    if _uses_spark(item):
        # Two groups, two JVMs: the AWS stack's Glue jobs on one worker, the rest on another.
        return "spark-glue" if item.nodeid.startswith("tests/aws/") else "spark"
    if any("module" in scopes for scopes in _fixture_scopes(item).values()):
        return item.nodeid.split("::", 1)[0]
    return None


def _run_rank(item: pytest.Item) -> int:
    """Spark first (the longest group), then slow tests, then the rest; sort is stable within."""
    if _uses_spark(item):
        return 0
    return 1 if item.get_closest_marker("slow") is not None else 2


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


@pytest.fixture()
def glue_database(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A catalog database of this test's own in the moto server's Glue (which lives for the session):
    a Glue database holds one lake's Iceberg tables."""
    import uuid

    from cinelake.config import get_settings

    name = f"lake_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("CINELAKE_CATALOG_DATABASE", name)
    get_settings.cache_clear()
    yield name
    monkeypatch.delenv("CINELAKE_CATALOG_DATABASE")
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """Starts the one local session of the run and stops it at the end."""
    from cinelake.spark.errors import JavaNotFoundError
    from cinelake.spark.session import get_spark

    try:
        session = get_spark("cinelake-tests")
    except JavaNotFoundError as exc:
        pytest.skip(str(exc))
    yield session
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


@pytest.fixture()
def spark(spark_session: Any) -> Any:
    """The live session: the same one all along, unless code under test stopped it (then a new one)."""
    from cinelake.spark.session import get_spark

    return get_spark("cinelake-tests")

