"""The DuckDB engine on an s3:// lake (moto in server mode): it reads Raw and writes Trusted and
Refined through the lake's fsspec filesystem, and the lake equals the same run on a local folder."""

from __future__ import annotations

import uuid
from pathlib import Path

import boto3
import pytest

from cinelake.catalog import crawl
from cinelake.engines import raw_to_trusted, trusted_to_refined
from cinelake.lake.store import Lake
from cinelake.tables.datasets import DATASETS
from cinelake.tables.registry import trusted_table
from cinelake.tables.store import data_files
from tests.spark.lakes import DAY1, build_raw
from tests.transform.compare import datasets, differences

pytestmark = pytest.mark.integration


@pytest.fixture()
def s3_lake(glue_database: str) -> Lake:
    bucket = f"lake-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=bucket)
    return Lake(f"s3://{bucket}")


@pytest.mark.slow
def test_an_s3_lake_gets_the_same_trusted_and_refined_as_a_local_one(
    s3_lake: Lake, glue_database: str, real_data: Path, tmp_path: Path
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
    # The tables are in the (moto) Glue Data Catalog, as Iceberg tables Athena reads.
    glue = boto3.client("glue", region_name="us-east-1")
    table = glue.get_table(DatabaseName=glue_database, Name="fact_movie")
    assert table["Table"]["Parameters"]["table_type"] == "ICEBERG"
    # Nothing but the data and the tables' metadata: no write folder left behind.
    keys = s3_lake.list_files("", include_hidden=True)
    assert not [k for k in keys if "-write-" in k]

    # A rerun skips every partition; a forced day is committed anew, its old files replaced.
    again = raw_to_trusted(s3_lake)
    assert {p.status for p in again.partitions} == {"skipped"}
    movies = trusted_table(DATASETS[0])

    def day1_files() -> set[str]:
        return {f for f in data_files(s3_lake, movies) if "/dt=2026-11-25/" in f}

    before = day1_files()
    forced = raw_to_trusted(s3_lake, day=DAY1, force=True)
    assert {p.status for p in forced.partitions} == {"written"}
    after = day1_files()
    assert len(after) == len(before) and after != before
    assert differences(local, s3_lake) == []
