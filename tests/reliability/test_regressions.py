"""Regression tests of defects the reliability suite found (each named after what broke)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cinelake.lake.store import Lake
from tests.reliability.conftest import offline_settings, small_discover
from tests.reliability.lakecheck import assert_every_title_once, manifest_of, temp_files

pytestmark = pytest.mark.integration


def test_a_complete_run_sweeps_temp_files_a_kill_left_in_its_bookkeeping(tmdb: str, tmp_path: Path) -> None:
    """Regression: a SIGKILL during a checkpoint write left ``.<k>.json.tmp-*`` in ``_runs/<run>/chunks``."""
    from cinelake.ingest.tmdb import ingest_tmdb
    from cinelake.lake import layout

    lake = Lake(str(tmp_path / "lake"))
    request = small_discover()
    settings = offline_settings(tmdb)
    stray = f"{layout.run_checkpoints_dir(request.run_id)}/.00001.json.tmp-0123456789abcdef"
    lake.write_bytes(stray, b'{"chunk": 1, "gener')
    result = ingest_tmdb(lake, request, settings)
    assert result.status == "complete" and result.written > 0
    assert temp_files(tmp_path / "lake") == []
    assert_every_title_once(lake, manifest_of(lake, result.run_id))
