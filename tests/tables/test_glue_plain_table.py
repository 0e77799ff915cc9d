"""A Glue database that still holds the crawler's plain table of a Refined or Trusted name (a lake
cataloged before its tables were Iceberg tables): the commit stops with one line naming the command
that deletes it, and after that command the same commit creates the Iceberg table (moto)."""

from __future__ import annotations

import uuid

import boto3
import pyarrow as pa
import pytest

from cinelake.lake.store import Lake
from cinelake.tables.registry import refined_table
from cinelake.tables.store import TableCommitError, load, write_arrow

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "parameters",
    [{"classification": "parquet"}, {"classification": "parquet", "table_type": "EXTERNAL_TABLE"}],
    ids=["crawler-table", "external-table"],
)
def test_a_plain_glue_table_of_the_same_name_stops_the_commit_with_the_command_that_deletes_it(
    glue_database: str, parameters: dict[str, str]
) -> None:
    bucket = f"lake-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=bucket)
    lake = Lake(f"s3://{bucket}")
    table = refined_table("dim_genre")
    glue = boto3.client("glue", region_name="us-east-1")
    glue.create_database(DatabaseInput={"Name": glue_database})
    glue.create_table(
        DatabaseName=glue_database,
        TableInput={
            "Name": table.name,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": parameters,
            "StorageDescriptor": {
                "Columns": [{"Name": "genre_key", "Type": "bigint"}],
                "Location": f"s3://{bucket}/{table.rel}/",
            },
        },
    )
    rows = pa.table({"genre_key": [1, 2], "genre": ["Drama", "Comedy"]})

    with pytest.raises(TableCommitError) as caught:
        write_arrow(lake, table, rows)
    message = str(caught.value)
    command = f"aws glue delete-table --database-name {glue_database} --name {table.name}"
    assert command in message and "not an Iceberg table" in message and "\n" not in message

    glue.delete_table(DatabaseName=glue_database, Name=table.name)  # what the command does
    assert write_arrow(lake, table, rows).total == 2
    found = load(lake, table)
    assert found is not None and found.scan().to_arrow().num_rows == 2
