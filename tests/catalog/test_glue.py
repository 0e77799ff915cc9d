"""The Glue backend against moto in server mode: tables and partitions read back through the Glue API."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

import boto3
import pytest

from cinelake.catalog import crawl, update_catalog
from cinelake.catalog.glue import GlueCatalog
from cinelake.lake.store import Lake
from tests.catalog.lakes import build_lake, write_raw_json

pytestmark = pytest.mark.integration


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


@pytest.fixture()
def s3_lake(aws_env: str) -> Lake:
    bucket = unique("lake").replace("_", "-")
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=bucket)
    return Lake(f"s3://{bucket}")


def test_crawl_an_s3_lake_into_glue(s3_lake: Lake, real_data: Path) -> None:
    records = build_lake(s3_lake, real_data)
    database = unique("cinelake")
    summary = crawl(s3_lake, backend="glue", database=database)
    assert summary.database_created and {t.table for t in summary.tables} == set(records)

    glue = boto3.client("glue", region_name="us-east-1")
    assert glue.get_database(Name=database)["Database"]["Name"] == database
    names = {t["Name"] for t in glue.get_tables(DatabaseName=database)["TableList"]}
    assert names == set(records)

    table = glue.get_table(DatabaseName=database, Name="raw_tmdb_movies")["Table"]
    sd = table["StorageDescriptor"]
    assert sd["Location"] == f"{s3_lake.url}/Raw/TMDB/JSON/Movies/"
    assert sd["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert {c["Name"]: c["Type"] for c in sd["Columns"]}["genres"] == "array<struct<id:bigint,name:string>>"
    assert [k["Name"] for k in table["PartitionKeys"]] == ["year", "month", "day"]
    assert table["Parameters"]["classification"] == "json"
    assert table["Parameters"]["recordCount"] == "5"
    assert table["Parameters"]["projection.enabled"] == "true"

    parts = glue.get_partitions(DatabaseName=database, TableName="raw_tmdb_movies")["Partitions"]
    assert sorted(tuple(p["Values"]) for p in parts) == [("2026", "11", "25"), ("2026", "11", "26")]
    by_day = {p["Values"][2]: p for p in parts}
    assert by_day["26"]["StorageDescriptor"]["Location"] == f"{s3_lake.url}/Raw/TMDB/JSON/Movies/2026/11/26/"
    assert by_day["26"]["Parameters"]["numFiles"] == "2"

    csv = glue.get_table(DatabaseName=database, Name="raw_local_movies")["Table"]
    serde = csv["StorageDescriptor"]["SerdeInfo"]
    assert serde["Parameters"]["field.delim"] == "|"
    assert serde["Parameters"]["serialization.null.format"] == "\\N"
    assert csv["Parameters"]["skip.header.line.count"] == "1"

    trusted = glue.get_partitions(DatabaseName=database, TableName="trusted_tmdb_movies")["Partitions"]
    assert sorted(p["Values"][0] for p in trusted) == ["2026-11-25", "2026-11-26"]

    again = crawl(s3_lake, backend="glue", database=database)
    assert again.unchanged == len(records) and again.files_read == 0


def test_partitions_go_in_batches_and_incrementally(lake: Lake, aws_env: str) -> None:
    database = unique("cinelake")
    first = date(2026, 1, 1)
    for offset in range(130):  # more than one BatchCreatePartition (100 at most)
        write_raw_json(lake, first + timedelta(days=offset), [{"id": offset, "title": f"film {offset}"}])
    summary = crawl(lake, backend="glue", database=database)
    assert summary.partitions_added == 130
    catalog = GlueCatalog(database)
    assert len(catalog.get_partitions("raw_tmdb_movies")) == 130

    write_raw_json(lake, first + timedelta(days=130), [{"id": 130, "title": "new", "rating": 7.5}])
    later = update_catalog(lake, zone="Raw", backend="glue", database=database)
    assert later is not None
    change = later.table("raw_tmdb_movies")
    assert change.partitions_added == 1 and change.files_read == 1
    assert [(c.column, c.new) for c in change.schema_changes] == [("rating", "double")]
    values = [p.values for p in catalog.get_partitions("raw_tmdb_movies")]
    assert len(values) == 131 and ("2026", "05", "11") in values
    table = catalog.get_table("raw_tmdb_movies")
    assert table is not None and [c.name for c in table.columns] == ["id", "title", "rating"]


def test_update_catalog_does_nothing_without_the_glue_database(lake: Lake, aws_env: str) -> None:
    write_raw_json(lake, date(2026, 11, 26), [{"id": 1}])
    assert update_catalog(lake, backend="glue", database=unique("absent")) is None


def test_update_catalog_backend_from_the_environment(
    lake: Lake, aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = unique("cinelake")
    write_raw_json(lake, date(2026, 11, 26), [{"id": 1}])
    crawl(lake, backend="glue", database=database)
    write_raw_json(lake, date(2026, 11, 27), [{"id": 2}])
    monkeypatch.setenv("CINELAKE_CATALOG_BACKEND", "glue")
    summary = update_catalog(lake, zone="Raw", database=database)
    assert summary is not None and summary.partitions_added == 1
    assert len(GlueCatalog(database).get_partitions("raw_tmdb_movies")) == 2
    assert not lake.exists("_catalog")  # nothing went to the local catalog
