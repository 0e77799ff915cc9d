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


def test_leftovers_of_killed_spark_writes_are_swept_and_nothing_else(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    dataset = layout.trusted_dir(layout.Origin.TMDB, "Movies")
    lake.write_bytes(f"{dataset}/.spark-staging-0a1b/dt=2026-11-26/part-0.parquet", b"staged")
    lake.write_bytes(f"{dataset}/_temporary/0/_temporary/attempt/part-0.parquet", b"attempt")
    lake.write_bytes(f"{dataset}/dt=2026-11-26/part-0.parquet", b"data")
    lake.write_bytes(f"{dataset}/dt=2026-11-26/_sources.json", b"{}")
    lake.write_bytes(f"{dataset}/.other", b"not Spark's")
    removed = lakeio.sweep_spark_leftovers(lake, dataset)
    assert sorted(removed) == [f"{dataset}/.spark-staging-0a1b", f"{dataset}/_temporary"]
    assert sorted(lake.list_files(dataset, include_hidden=True)) == [
        f"{dataset}/.other",
        f"{dataset}/dt=2026-11-26/_sources.json",
        f"{dataset}/dt=2026-11-26/part-0.parquet",
    ]
    assert lakeio.sweep_spark_leftovers(lake, "Trusted/TMDB/PARQUET/Series") == []


def test_a_spark_job_runs_alone_on_a_local_lake(tmp_path: Path) -> None:
    import pytest

    from cinelake.lake.layout import Zone
    from cinelake.lake.lock import LockHeldError
    from cinelake.spark.raw_to_trusted import raw_to_trusted
    from cinelake.spark.trusted_to_refined import trusted_to_refined

    lake = Lake(str(tmp_path))
    with lakeio.exclusive(lake, Zone.TRUSTED, "raw-to-trusted"):
        assert lake.exists("Trusted/_locks/raw-to-trusted.lock")
        # Refused before any Spark starts or any file is read.
        with pytest.raises(LockHeldError, match="raw-to-trusted is being worked on by"):
            raw_to_trusted(lake, catalog="none")
    with lakeio.exclusive(lake, Zone.REFINED, "trusted-to-refined"), pytest.raises(LockHeldError):
        trusted_to_refined(lake, catalog="none")
    assert lake.list_files("", include_hidden=True) == []
