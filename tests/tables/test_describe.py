"""`cinelake catalog tables|show|ddl` list the Raw tables and the Iceberg tables side by side."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
import sqlglot

from cinelake.catalog import crawl
from cinelake.cli import main
from cinelake.lake import layout
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from cinelake.tables.datasets import DATASETS
from cinelake.tables.registry import refined_table, trusted_table
from cinelake.tables.store import write_arrow

DAY = date(2026, 11, 26)


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as done:
        main(args)
    assert done.value.code in (0, None)
    return capsys.readouterr().out


def test_raw_and_iceberg_tables_side_by_side(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lake = Lake(str(tmp_path))
    lake.write_bytes(layout.raw_local_csv_file(Kind.MOVIES, DAY, "m.csv"), b"id|title\ntt1|A\n")
    crawl(lake)
    write_arrow(
        lake, trusted_table(DATASETS[0]), pa.table({"tmdb_id": [1, 2], "dt": [DAY, DAY]}), replace=[str(DAY)]
    )
    write_arrow(lake, refined_table("dim_genre"), pa.table({"genre_key": [35], "name": ["Comedy"]}))

    listed = _run(["catalog", "tables", "--lake", str(tmp_path)], capsys)
    assert "raw_local_movies" in listed and "csv" in listed
    assert "trusted_tmdb_movies" in listed and "dim_genre" in listed and "iceberg" in listed

    shown = _run(["catalog", "show", "dim_genre", "--lake", str(tmp_path)], capsys)
    assert "genre_key" in shown and "records:  1" in shown

    ddl = _run(
        ["catalog", "ddl", "trusted_tmdb_movies", "--lake", str(tmp_path), "--location-root", "s3://b"],
        capsys,
    )
    assert "'table_type' = 'ICEBERG'" in ddl and "PARTITIONED BY (`dt`)" in ddl
    assert "LOCATION 's3://b/Trusted/TMDB/PARQUET/Movies'" in ddl
    sqlglot.parse_one(ddl.replace("`", '"').rstrip().rstrip(";"), read="athena")
    raw = _run(["catalog", "ddl", "raw_local_movies", "--lake", str(tmp_path)], capsys)
    assert raw.startswith("CREATE EXTERNAL TABLE")
