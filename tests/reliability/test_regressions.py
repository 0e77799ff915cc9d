"""Regression tests of defects the reliability suite found (each named after what broke)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cinelake.lake.store import Lake
from tests.reliability.conftest import TOKEN
from tests.reliability.lakecheck import assert_every_title_once, manifest_of, temp_files

pytestmark = pytest.mark.integration


def test_a_complete_run_sweeps_temp_files_a_kill_left_in_its_bookkeeping(tmdb: str, tmp_path: Path) -> None:
    """Regression: a SIGKILL during a checkpoint write left ``.<k>.json.tmp-*`` in ``_runs/<run>/chunks``."""
    from datetime import date

    from cinelake.config import Settings
    from cinelake.ingest.tmdb import TMDBIngestRequest, ingest_tmdb
    from cinelake.lake import layout

    lake = Lake(str(tmp_path / "lake"))
    request = TMDBIngestRequest(
        day=date(2026, 11, 26),
        source="discover",
        genres=("all",),
        release_from=date(2000, 1, 1),
        release_to=date(2000, 3, 31),
    )
    settings = Settings(tmdb_base_url=tmdb, tmdb_read_access_token=TOKEN, tmdb_rate_limit=0)
    stray = f"{layout.run_checkpoints_dir(request.run_id)}/.00001.json.tmp-0123456789abcdef"
    lake.write_bytes(stray, b'{"chunk": 1, "gener')
    result = ingest_tmdb(lake, request, settings)
    assert result.status == "complete" and result.written > 0
    assert temp_files(tmp_path / "lake") == []
    assert_every_title_once(lake, manifest_of(lake, result.run_id))
