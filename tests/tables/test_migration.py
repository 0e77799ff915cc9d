"""A lake written before Trusted and Refined were Iceberg tables (plain Parquet in dt= folders with
_sources.json markers, Refined folders of Parquet, the crawler's catalog entries) is upgraded in place
by the next transforms, from its Raw zone, with nothing re-ingested."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cinelake.catalog import crawl
from cinelake.engines import raw_to_trusted, trusted_to_refined
from cinelake.lake.store import Lake
from cinelake.query import run_sql
from tests.spark.lakes import DAY1, build_raw
from tests.transform.compare import differences


def _previous_release_layout(lake: Lake) -> None:
    """What the previous release's jobs left: a marker and a Parquet file without the dt column in
    each Trusted partition (stale rows), a Refined table folder of Parquet, and a crawl of them."""
    partition = f"Trusted/TMDB/PARQUET/Movies/dt={DAY1.isoformat()}"
    lake.fs.makedirs(lake.fs_path(partition), exist_ok=True)
    pq.write_table(
        pa.table({"tmdb_id": [999], "title": ["stale"]}), lake.fs_path(f"{partition}/part-0.parquet")
    )
    lake.write_bytes(f"{partition}/_sources.json", json.dumps({"files": []}).encode())
    lake.fs.makedirs(lake.fs_path("Refined/fact_movie"), exist_ok=True)
    pq.write_table(pa.table({"movie_key": [999]}), lake.fs_path("Refined/fact_movie/part-00000.parquet"))
    crawl(lake)


@pytest.mark.slow
def test_the_next_transforms_upgrade_the_lake_in_place(real_data: Path, tmp_path: Path) -> None:
    old, clean = Lake(str(tmp_path / "old")), Lake(str(tmp_path / "clean"))
    for lake in (old, clean):
        lake.fs.makedirs(lake.fs_path(""), exist_ok=True)
        build_raw(lake, real_data)
    _previous_release_layout(old)
    raw_before = sorted(old.list_files("Raw"))
    for lake in (old, clean):
        raw_to_trusted(lake)
        trusted_to_refined(lake)
    assert differences(clean, old) == []  # the same Iceberg tables as a lake that never had the old layout
    assert sorted(old.list_files("Raw")) == raw_before  # nothing re-ingested
    leftovers = [f for f in old.list_files("Trusted") + old.list_files("Refined") if "part-0.parquet" in f]
    assert leftovers == [] and not [f for f in old.list_files("Trusted") if f.endswith("_sources.json")]
    # The crawler's old entries do not shadow the tables: SQL reads the Iceberg snapshots.
    assert run_sql(old, "SELECT count(*) FROM fact_movie WHERE movie_key = 999").rows == [(0,)]
    assert run_sql(old, "SELECT count(*) FROM trusted_tmdb_movies WHERE title = 'stale'").rows == [(0,)]
