"""The views state when the data was collected and, for the packaged snapshot, how old its values are."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from cinelake.analysis.freshness import data_vintage, vintage_sentence
from cinelake.analysis.report import report
from cinelake.lake import layout
from cinelake.lake.store import Lake
from cinelake.tmdb.snapshot import vintage
from tests.analysis.conftest import DAY
from tests.analysis.test_cli import run


def test_the_snapshot_metadata_comes_from_the_data() -> None:
    """Written by scripts/build_snapshot.py and build_tv_snapshot.py: the newest date each source holds."""
    found = vintage()
    assert found["movies"]["as_of"] == "2017-08-04" and found["series"]["as_of"] == "2019-05-21"
    assert vintage_sentence(found) == (
        "TMDB values of the packaged offline snapshot, as of about 2017-08 (films) and 2019-05 (series)"
    )


def mark_as_snapshot(lake: Lake) -> None:
    """What `cinelake demo` writes into the lake it fills from the packaged snapshot."""
    lake.write_bytes(layout.tmdb_data_vintage(), orjson.dumps(vintage()))


def test_a_lake_of_other_data_states_no_vintage(raw_lake: Lake) -> None:
    assert data_vintage(raw_lake) is None


@pytest.mark.integration
def test_the_report_states_the_collection_day_and_the_vintage(raw_lake: Lake, tmp_path: Path) -> None:
    plain = report(raw_lake, tmp_path / "plain").read_text(encoding="utf-8")
    assert f"collected from TMDB on {DAY.isoformat()}" in plain and "as of about" not in plain
    mark_as_snapshot(raw_lake)
    page = report(raw_lake, tmp_path / "marked").read_text(encoding="utf-8")
    assert "TMDB values of the packaged offline snapshot, as of about 2017-08 (films)" in page


@pytest.mark.integration
def test_analyze_states_them_too(raw_lake: Lake, capsys: pytest.CaptureFixture[str]) -> None:
    mark_as_snapshot(raw_lake)
    code, out, err = run(capsys, "analyze", "--lake", raw_lake.url, "--kind", "movies")
    assert code == 0, err
    out = " ".join(out.split())
    assert f"collected from TMDB on {DAY.isoformat()}" in out
    assert "data: TMDB values of the packaged offline snapshot, as of about 2017-08 (films)" in out
