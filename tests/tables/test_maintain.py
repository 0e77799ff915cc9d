"""`cinelake tables maintain`: old snapshots expire, files no snapshot needs are deleted, rows stay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from cinelake.cli import main
from cinelake.lake.store import Lake
from cinelake.tables.maintain import maintain
from cinelake.tables.registry import refined_table
from cinelake.tables.store import data_files, load, write_arrow

TABLE = refined_table("fact_movie_history")


def _write(lake: Lake, rows: int) -> None:
    day = date(2026, 11, 26)
    write_arrow(
        lake,
        TABLE,
        pa.table({"movie_key": list(range(rows)), "snapshot_date": [day] * rows}),
        replace=[str(day)],
    )


def test_old_snapshots_and_unreferenced_files_go_the_current_rows_stay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lake = Lake(str(tmp_path))
    _write(lake, 3)
    replaced = data_files(lake, TABLE)
    _write(lake, 2)
    stray = f"{TABLE.rel}/.duckdb-write-dead/part-0.parquet"  # a write killed before its commit
    lake.write_bytes(stray, b"half written")

    # Within the default 7 days nothing goes: the commits are minutes old.
    with pytest.raises(SystemExit) as done:
        main(["tables", "maintain", "--lake", str(tmp_path)])
    assert done.value.code in (0, None)
    assert "0 snapshot(s) expired, 0 file(s) deleted" in capsys.readouterr().out
    assert lake.exists(stray)

    later = datetime.now(UTC) + timedelta(days=8)
    (result,) = maintain(lake, now=later)
    assert result.expired == 1 and result.deleted > 2
    table = load(lake, TABLE)
    assert table is not None and len(table.snapshots()) == 1
    assert table.scan().to_arrow().num_rows == 2
    assert not lake.exists(stray)
    assert not any(lake.exists(f.removeprefix(f"file://{lake.fs_path('')}/")) for f in replaced)
    assert all(lake.exists(f.removeprefix(f"file://{lake.fs_path('')}/")) for f in data_files(lake, TABLE))
