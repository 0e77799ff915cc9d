"""Raw -> Trusted on Spark: what only the Spark job does (its commits through tables, its CSV reader).

The rows themselves are tested on DuckDB (tests/transform) and the two engines compared on the same
Raw zones (tests/spark/test_engines_agree.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cinelake.errors import InputFileError, UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Kind, Origin
from cinelake.lake.store import Lake
from cinelake.spark.raw_to_trusted import raw_to_trusted
from cinelake.tables.datasets import DATASETS
from cinelake.tables.registry import trusted_table
from cinelake.tables.store import data_files
from tests.spark.lakes import DAY1, DAY2, LOCAL_HEADER

pytestmark = [pytest.mark.integration, pytest.mark.spark]


def _files(lake: Lake, day: Any) -> set[str]:
    """The data files of the Trusted local movies' current snapshot in the ``dt`` partition of ``day``."""
    return {f for f in data_files(lake, trusted_table(DATASETS[2])) if f"/dt={day.isoformat()}/" in f}


def test_reruns_skip_done_days_and_overwrite_only_their_own(
    spark: Any, real_data: Path, tmp_path: Path
) -> None:
    lake = Lake(str(tmp_path))
    compass = real_data / "compass_uol_sample"
    lake.copy_in(compass / "movies_subset_1.csv", layout.raw_local_csv_file(Kind.MOVIES, DAY1, "movies.csv"))
    lake.copy_in(compass / "movies_subset_2.csv", layout.raw_local_csv_file(Kind.MOVIES, DAY2, "movies.csv"))

    first = raw_to_trusted(lake, spark=spark, catalog="none")
    assert [(p.day, p.status, p.rows) for p in first.partitions] == [
        (DAY1, "written", 14),
        (DAY2, "written", 12),
    ]
    day1_files, day2_files = _files(lake, DAY1), _files(lake, DAY2)

    # The files Spark wrote are in the table's dt= folders, the dt column kept in them.
    assert all(
        f.startswith(f"file://{lake.fs_path(layout.trusted_dir(Origin.LOCAL, 'Movies'))}/dt=")
        for f in day1_files
    )
    # A Spark write killed before its commit left files in its write folder: never read, and the rerun
    # (with nothing to do) commits nothing.
    stray = f"{layout.trusted_dir(Origin.LOCAL, 'Movies')}/.spark-write-dead/_dt={DAY1}/part-0.parquet"
    lake.write_bytes(stray, b"half written")
    said: list[str] = []
    again = raw_to_trusted(lake, spark=spark, catalog="none", progress=said.append)
    assert [p.status for p in again.partitions] == ["skipped", "skipped"]
    assert any(line.startswith("nothing to do") for line in said)
    assert _files(lake, DAY1) == day1_files and _files(lake, DAY2) == day2_files

    # A day that received another file is rebuilt; the other day is left alone.
    row = "tt0137523|Fight Club|Fight Club|1999|139|Drama|8.8|2200000|actor|\\N|Edward Norton|1969|\\N|a|\\N"
    lake.write_bytes(
        layout.raw_local_csv_file(Kind.MOVIES, DAY2, "more.csv"), f"{LOCAL_HEADER}\n{row}\n".encode()
    )
    third = raw_to_trusted(lake, spark=spark, catalog="none")
    assert [(p.day, p.status, p.rows) for p in third.partitions] == [
        (DAY1, "skipped", 0),
        (DAY2, "written", 13),
    ]
    assert _files(lake, DAY1) == day1_files and _files(lake, DAY2) != day2_files

    forced = raw_to_trusted(lake, day=DAY1, force=True, spark=spark, catalog="none")
    assert [(p.day, p.status, p.rows) for p in forced.partitions] == [(DAY1, "written", 14)]
    assert _files(lake, DAY1) != day1_files and len(_files(lake, DAY2)) == 1

    with pytest.raises(UsageError, match="no Raw data for 2026-01-01"):
        raw_to_trusted(lake, day=DAY1.replace(month=1, day=1), spark=spark)


def test_a_csv_that_is_not_the_challenge_format_is_refused(spark: Any, tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    lake.write_bytes(layout.raw_local_csv_file(Kind.MOVIES, DAY1, "other.csv"), b"a|b\n1|2\n")
    with pytest.raises(InputFileError, match="missing columns"):
        raw_to_trusted(lake, spark=spark, catalog="none")
