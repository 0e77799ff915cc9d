"""The report step's pieces: row counts without pyarrow (its Lambda bundle has DuckDB only), the day's
stamp and Raw fingerprint."""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from pathlib import Path

import pytest

from cinelake.aws import report_step
from cinelake.errors import UsageError
from cinelake.lake.store import Lake


def test_parquet_row_counts_without_pyarrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    freshness = importlib.import_module("cinelake.analysis.freshness")
    pq.write_table(pa.table({"a": list(range(7))}), tmp_path / "x.parquet")
    lake = Lake(str(tmp_path))
    with_arrow = freshness._count_parquet_rows(lake, "x.parquet")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    assert freshness._count_parquet_rows(lake, "x.parquet") == with_arrow == 7
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    assert freshness._count_parquet_rows(lake, "bad.parquet") is None


def test_the_fingerprint_follows_raw_data_names_only(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    lake.write_bytes("Raw/TMDB/JSON/Movies/2026/11/26/movies-a-00001.json", b"{}\n")
    first = report_step.raw_fingerprint(lake)
    lake.write_bytes("Raw/TMDB/_runs/a/manifest.json", b"{}")  # bookkeeping: not data
    assert report_step.raw_fingerprint(lake) == first
    lake.write_bytes("Raw/TMDB/JSON/Movies/2026/11/27/movies-b-00001.json", b"{}\n")
    assert report_step.raw_fingerprint(lake) != first
    assert report_step.stamp_path(dt.date(2026, 11, 26)) == "Refined/_reports/2026/11/26/_pipeline.json"


def test_the_days_ingested_runs_are_checked_before_the_report() -> None:
    runs = [
        {"kind": "movies", "source": "csv", "failed": 1, "failures": [{"id": "tt1", "reason": "HTTP 500"}]}
    ]
    assert report_step._ingested({"date": "2026-11-26", "ingested": runs}) == runs
    assert report_step._ingested({"date": "2026-11-26"}) is None  # an older state machine sends none
    with pytest.raises(UsageError, match="ingested must be a list"):
        report_step._ingested({"date": "2026-11-26", "ingested": "everything"})
