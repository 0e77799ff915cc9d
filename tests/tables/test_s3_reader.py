"""On an ``s3://`` lake (moto in server mode, the tables in moto's Glue) a reader querying in a loop
while a transform publishes a changed day sees the tables as they were or as they are after, never
a mix: each table changes in one Iceberg commit (the old upload-then-delete let a reader see old and
new files of one day together)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest

from cinelake.engines import raw_to_trusted
from cinelake.lake import layout
from cinelake.lake.store import Lake
from cinelake.query.run import run_duckdb
from cinelake.tables.datasets import DATASETS
from cinelake.tables.registry import trusted_table
from tests.spark.lakes import DAY2, build_raw, jsonl, snapshot_movies

pytestmark = pytest.mark.integration

MOVIES = trusted_table(DATASETS[0]).name
# Rows, titles and days of the Trusted movies, per collection day: a mix of the day's old and new
# files would double rows (rows > titles) or give counts of neither state.
QUERY = f"SELECT dt, count(*), count(DISTINCT tmdb_id) FROM {MOVIES} GROUP BY dt ORDER BY dt"
MAX_READS = 60


def _read(lake: Lake) -> tuple[tuple[object, ...], ...]:
    return tuple(tuple(row) for row in run_duckdb(lake, QUERY).rows)


@pytest.mark.slow
def test_a_reader_in_a_loop_never_sees_a_mix_during_a_publication(
    glue_database: str, aws_env: str, real_data: Path
) -> None:
    bucket = f"lake-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=bucket)
    lake = Lake(f"s3://{bucket}")
    build_raw(lake, real_data)
    raw_to_trusted(lake)
    before = _read(lake)
    assert len(before) == 2  # both days published

    # Day 2 changes: a later ingestion run of the same day adds twenty titles.
    lake.write_bytes(layout.raw_tmdb_file("Movies", DAY2, "run-c", 1), jsonl(snapshot_movies()[20:40]))
    writer = subprocess.Popen(
        [sys.executable, "-m", "cinelake.cli", "transform", "raw-to-trusted", "--lake", lake.url],
        env=dict(os.environ),  # moto's endpoint and the test's Glue database
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    try:
        while writer.poll() is None and len(seen) < MAX_READS:
            seen.append(_read(lake))
    finally:
        if writer.poll() is None:
            writer.kill()
        _, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err[-2000:]
    after = _read(lake)
    assert after != before and after[0] == before[0]  # day 2 changed, day 1 did not
    day2 = after[1]
    assert day2[1] == day2[2] and day2[1] > before[1][1]  # one row per title, the new titles in
    assert len(seen) >= 2, "the reader must have read during the publication"
    assert set(seen) <= {before, after}, [s for s in seen if s not in (before, after)]
