"""Fixtures of the analysis tests: lakes holding the hand-checked films, and the packaged snapshot."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import cinelake
from cinelake.lake.store import Lake
from tests.analysis.films import hand_checked_movies
from tests.analysis.lakes import write_raw, write_refined

DAY = date(2026, 11, 26)
SNAPSHOT = Path(cinelake.__file__).parent / "tmdb" / "snapshot" / "movies.jsonl.gz"


@pytest.fixture()
def raw_lake(tmp_path: Path) -> Lake:
    """A local lake with the hand-checked films in Raw only (two files on one day)."""
    lake = Lake(str(tmp_path / "lake"))
    movies = hand_checked_movies()
    write_raw(lake, movies[:8], DAY, chunk=1)
    write_raw(lake, movies[8:], DAY, chunk=2)
    return lake


@pytest.fixture()
def refined_lake(tmp_path: Path) -> Lake:
    """A local lake with the hand-checked films in Refined only."""
    lake = Lake(str(tmp_path / "lake"))
    write_refined(lake, hand_checked_movies(), DAY)
    return lake


@pytest.fixture(scope="session")
def snapshot_movies() -> list[dict[str, Any]]:
    """The TMDB detail objects of the packaged snapshot (real data)."""
    if not SNAPSHOT.is_file():
        pytest.skip(f"the packaged snapshot {SNAPSHOT} is not there")
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="session")
def snapshot_lake(tmp_path_factory: pytest.TempPathFactory, snapshot_movies: list[dict[str, Any]]) -> Lake:
    """A local lake holding the packaged snapshot in Raw (files of 100 records) and in Refined."""
    lake = Lake(str(tmp_path_factory.mktemp("snapshot") / "lake"))
    for start in range(0, len(snapshot_movies), 100):
        write_raw(lake, snapshot_movies[start : start + 100], DAY, run="snapshot", chunk=start // 100 + 1)
    write_refined(lake, snapshot_movies, DAY)
    return lake
