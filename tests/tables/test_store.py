"""The tables package without an engine: Raw days, placing an engine's files, the one commit."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cinelake.lake import layout
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from cinelake.tables.datasets import DATASETS, raw_days
from cinelake.tables.registry import refined_table, trusted_table
from cinelake.tables.store import (
    SOURCES_PROPERTY,
    commit_files,
    data_files,
    load,
    place,
    summary,
    write_arrow,
)

DAY1, DAY2 = date(2026, 11, 25), date(2026, 11, 26)
TABLE = trusted_table(DATASETS[0])


def _day(rows: int, day: date) -> pa.Table:
    return pa.table({"id": list(range(rows)), "dt": [day] * rows})


def _rows(lake: Lake) -> dict[str, int]:
    found = load(lake, TABLE)
    assert found is not None
    counts: dict[str, int] = {}
    for day in found.scan().to_arrow()["dt"].to_pylist():
        counts[day.isoformat()] = counts.get(day.isoformat(), 0) + 1
    return counts


def test_raw_days_and_their_fingerprints(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    lake.write_bytes(layout.raw_local_csv_file(Kind.MOVIES, DAY2, "b.csv"), b"x\n")
    lake.write_bytes(layout.raw_local_csv_file(Kind.MOVIES, DAY1, "a.csv"), b"xy\n")
    lake.write_bytes(layout.raw_local_csv_file(Kind.MOVIES, DAY1, "notes.txt"), b"not data\n")
    lake.write_bytes("Raw/Local/CSV/Movies/2026/11/not-a-day/c.csv", b"x\n")
    days = raw_days(lake, "Raw/Local/CSV/Movies", ".csv")
    assert [(d.day, d.files) for d in days] == [(DAY1, (("a.csv", 3),)), (DAY2, (("b.csv", 2),))]
    lake.write_bytes(layout.raw_local_csv_file(Kind.MOVIES, DAY1, "a.csv"), b"changed\n")
    assert raw_days(lake, "Raw/Local/CSV/Movies", ".csv")[0].digest != days[0].digest


def test_a_spark_style_write_is_placed_in_dt_folders_and_replaces_only_its_days(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    write_arrow(
        lake, TABLE, pa.concat_tables([_day(3, DAY1), _day(4, DAY2)]), replace=["2026-11-25", "2026-11-26"]
    )
    day1 = {f for f in data_files(lake, TABLE) if "/dt=2026-11-25/" in f}
    # Spark partitions by a copy of the column (_dt=...), the column itself stays in the file.
    staged = f"{TABLE.rel}/.spark-write-test/_dt={DAY2.isoformat()}"
    lake.fs.makedirs(lake.fs_path(staged), exist_ok=True)
    pq.write_table(_day(2, DAY2), lake.fs_path(f"{staged}/part-0.parquet"))
    files = place(lake, TABLE, f"{TABLE.rel}/.spark-write-test")
    assert files == [f"{TABLE.rel}/dt=2026-11-26/part-0.parquet"]
    assert not lake.exists(f"{TABLE.rel}/.spark-write-test")
    snapshots = len(load(lake, TABLE).snapshots())  # type: ignore[union-attr]
    done = commit_files(lake, TABLE, files, replace=["2026-11-26"], sources={"2026-11-26": "abc"}, day=DAY2)
    assert done.rows == {"2026-11-26": 2}
    assert _rows(lake) == {"2026-11-25": 3, "2026-11-26": 2}
    assert {f for f in data_files(lake, TABLE) if "/dt=2026-11-25/" in f} == day1  # untouched
    table = load(lake, TABLE)
    assert table is not None and len(table.snapshots()) == snapshots + 1  # one snapshot per commit
    assert '"2026-11-26":"abc"' in summary(table)[SOURCES_PROPERTY]


def test_a_refined_table_is_replaced_whole_and_an_empty_one_keeps_its_columns(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    dim = refined_table("dim_genre")
    write_arrow(lake, dim, pa.table({"genre_key": [1, 2], "name": ["a", "b"]}))
    write_arrow(
        lake, dim, pa.table({"genre_key": pa.array([], pa.int64()), "name": pa.array([], pa.string())})
    )
    table = load(lake, dim)
    assert table is not None and table.scan().to_arrow().num_rows == 0
    assert [f.name for f in table.schema().fields] == ["genre_key", "name"]
    assert data_files(lake, dim) == []


def test_two_writers_at_once_lose_nothing_and_double_nothing(tmp_path: Path) -> None:
    """Both commit to one table at the same time (other days): the catalog refuses the stale commit
    and it is redone on the new snapshot, so both days are there, once."""
    lake = Lake(str(tmp_path))
    write_arrow(lake, TABLE, _day(1, date(2026, 11, 24)), replace=["2026-11-24"])
    errors: list[BaseException] = []

    def write(day: date, rows: int) -> None:
        try:
            write_arrow(lake, TABLE, _day(rows, day), replace=[day.isoformat()])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=args) for args in ((DAY1, 3), (DAY2, 4))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _rows(lake) == {"2026-11-24": 1, "2026-11-25": 3, "2026-11-26": 4}


def test_a_reader_does_not_create_a_catalog(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    assert load(lake, TABLE) is None
    assert not lake.exists("_catalog")


@pytest.mark.parametrize("url", ["memory://tables-test"])
def test_a_memory_lake_has_a_catalog_for_the_process(url: str) -> None:
    lake = Lake(url)
    try:
        write_arrow(lake, TABLE, _day(2, DAY1), replace=["2026-11-25"])
        assert _rows(lake) == {"2026-11-25": 2}
    finally:
        lake.delete("")


def test_a_new_table_appears_with_its_first_snapshot_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Creating a table and committing its first data are one catalog commit: a write that dies between
    the two (here the snapshot's commit fails) leaves no table, never an empty one a reader would take
    for the table's contents. The next write creates it whole."""
    from pyiceberg.catalog.sql import SqlCatalog

    lake = Lake(str(tmp_path))

    def dies(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("killed before the commit")

    monkeypatch.setattr(SqlCatalog, "commit_table", dies)
    with pytest.raises(RuntimeError, match="killed"):
        write_arrow(lake, TABLE, _day(3, DAY1), replace=["2026-11-25"])
    assert load(lake, TABLE) is None
    monkeypatch.undo()
    write_arrow(lake, TABLE, _day(3, DAY1), replace=["2026-11-25"])
    assert _rows(lake) == {"2026-11-25": 3}


def test_inside_loads_kept_a_reader_loads_once_and_a_commit_still_sees_the_table_now(tmp_path: Path) -> None:
    """A reader's second load inside ``loads_kept`` is the first one; commits inside the block load the
    table afresh, so two of them in a row both land (the second on the first's snapshot)."""
    from cinelake.tables.store import loads_kept

    lake = Lake(str(tmp_path / "lake"))
    write_arrow(lake, TABLE, _day(3, date(2026, 11, 25)), replace=["2026-11-25"])
    with loads_kept():
        first = load(lake, TABLE)
        write_arrow(lake, TABLE, _day(4, date(2026, 11, 26)), replace=["2026-11-26"])
        write_arrow(lake, TABLE, _day(5, date(2026, 11, 27)), replace=["2026-11-27"])
        assert load(lake, TABLE) is first  # the reader's view: as first loaded
    assert _rows(lake) == {"2026-11-25": 3, "2026-11-26": 4, "2026-11-27": 5}
