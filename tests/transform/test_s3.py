"""The DuckDB engine on an s3:// lake (moto in server mode): it reads Raw and writes Trusted and
Refined through the lake's fsspec filesystem, and the lake equals the same run on a local folder."""

from __future__ import annotations

import uuid
from pathlib import Path

import boto3
import pytest

from cinelake.catalog import crawl
from cinelake.lake.store import Lake
from cinelake.transform import raw_to_trusted, trusted_to_refined
from tests.spark.lakes import DAY1, build_raw
from tests.transform.compare import datasets, differences

pytestmark = pytest.mark.integration


@pytest.fixture()
def s3_lake(aws_env: str) -> Lake:
    bucket = f"lake-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=bucket)
    return Lake(f"s3://{bucket}")


def test_an_s3_lake_gets_the_same_trusted_and_refined_as_a_local_one(
    s3_lake: Lake, real_data: Path, tmp_path: Path
) -> None:
    local = Lake(str(tmp_path))
    for lake in (s3_lake, local):
        build_raw(lake, real_data)
        crawl(lake, zone="Raw")
        trusted = raw_to_trusted(lake)
        refined = trusted_to_refined(lake)
        assert trusted.catalog_updated and refined.catalog_updated
    assert len(datasets(s3_lake)) == 4 + 23  # four Trusted datasets; 12 film, 7 series, 4 people tables
    assert differences(local, s3_lake) == []
    # Nothing but the data, the markers and the bookkeeping: no staging object left behind.
    keys = s3_lake.list_files("", include_hidden=True)
    assert not [k for k in keys if "staging" in k or ".tmp-" in k or ".old-" in k]

    # A rerun skips every partition; a forced day is rewritten in place, its old files gone.
    again = raw_to_trusted(s3_lake)
    assert {p.status for p in again.partitions} == {"skipped"}
    before = set(s3_lake.list_files("Trusted/TMDB/PARQUET/Movies/dt=2026-11-25"))
    forced = raw_to_trusted(s3_lake, day=DAY1, force=True)
    assert {p.status for p in forced.partitions} == {"written"}
    after = set(s3_lake.list_files("Trusted/TMDB/PARQUET/Movies/dt=2026-11-25"))
    assert len(after) == len(before) and after != before
    assert differences(local, s3_lake) == []
