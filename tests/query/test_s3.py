"""`cinelake sql` over an s3:// lake (moto server): DuckDB reads through the lake's fsspec filesystem."""

from __future__ import annotations

import uuid
from pathlib import Path

import boto3
import orjson
import pytest

from cinelake.catalog import crawl
from cinelake.cli import main
from cinelake.lake.store import Lake
from cinelake.query import run_sql
from tests.catalog.lakes import build_lake

pytestmark = pytest.mark.integration


@pytest.fixture()
def s3_lake(aws_env: str) -> Lake:
    bucket = f"lake-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=bucket)
    return Lake(f"s3://{bucket}")


@pytest.mark.slow
def test_counts_on_an_s3_lake(s3_lake: Lake, real_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = build_lake(s3_lake, real_data)
    crawl(s3_lake)
    assert s3_lake.exists("_catalog/cinelake/tables/raw_tmdb_movies.json")
    for name, count in records.items():
        assert run_sql(s3_lake, f"SELECT count(*) FROM {name}").scalar() == count, name
    rows = run_sql(s3_lake, "SELECT dt, count(*) FROM trusted_tmdb_movies GROUP BY dt ORDER BY dt").rows
    assert rows == [("2026-11-25", 2), ("2026-11-26", 1)]

    with pytest.raises(SystemExit) as done:
        main(["sql", "SELECT day, count(*) AS n FROM raw_tmdb_movies GROUP BY day ORDER BY day",
              "--lake", s3_lake.url, "--format", "json"])  # fmt: skip
    assert done.value.code in (0, None)
    out = capsys.readouterr().out
    assert orjson.loads(out) == [{"day": "25", "n": 2}, {"day": "26", "n": 3}]
