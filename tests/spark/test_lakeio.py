"""Lake bookkeeping of the Spark jobs that needs no Spark: Raw days, partition markers, table swaps."""

from __future__ import annotations

from pathlib import Path

from cinelake.lake import layout
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from cinelake.spark import lakeio
from tests.spark.lakes import DAY1, DAY2


def test_raw_days_and_markers(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    lake.write_bytes(layout.raw_local_csv_file(Kind.MOVIES, DAY2, "b.csv"), b"x\n")
    lake.write_bytes(layout.raw_local_csv_file(Kind.MOVIES, DAY1, "a.csv"), b"xy\n")
    lake.write_bytes(layout.raw_local_csv_file(Kind.MOVIES, DAY1, "notes.txt"), b"not data\n")
    lake.write_bytes("Raw/Local/CSV/Movies/2026/11/not-a-day/c.csv", b"x\n")
    days = lakeio.raw_days(lake, "Raw/Local/CSV/Movies", ".csv")
    assert [(d.day, d.files) for d in days] == [(DAY1, (("a.csv", 3),)), (DAY2, (("b.csv", 2),))]

    partition = layout.trusted_partition(layout.Origin.LOCAL, "Movies", DAY1)
    assert not lakeio.is_up_to_date(lake, partition, days[0])
    lakeio.write_marker(lake, partition, days[0], {"rows": 1})
    assert lakeio.is_up_to_date(lake, partition, days[0])
    lake.write_bytes(layout.raw_local_csv_file(Kind.MOVIES, DAY1, "a.csv"), b"changed\n")
    changed = lakeio.raw_days(lake, "Raw/Local/CSV/Movies", ".csv")[0]
    assert not lakeio.is_up_to_date(lake, partition, changed)


def test_an_interrupted_swap_is_undone(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    # A crash after the old table was moved aside and before the new one moved in.
    lake.write_bytes("Refined/.fact_movie.old-abc/part-0.parquet", b"old")
    lake.write_bytes("Refined/.fact_movie.tmp-abc/part-0.parquet", b"new, half written")
    lake.write_bytes("Refined/.dim_movie.tmp-xyz/part-0.parquet", b"another table's temp")
    lakeio.recover_table(lake, "Refined/fact_movie")
    assert lake.read_bytes("Refined/fact_movie/part-0.parquet") == b"old"
    left = lake.list_files("Refined", include_hidden=True)
    assert left == ["Refined/.dim_movie.tmp-xyz/part-0.parquet", "Refined/fact_movie/part-0.parquet"]
