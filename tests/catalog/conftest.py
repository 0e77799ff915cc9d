"""Fixtures of the catalog tests: a lake in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from cinelake.lake.store import Lake
from tests.catalog.lakes import build_lake


@pytest.fixture()
def lake(tmp_path: Path) -> Lake:
    return Lake(str(tmp_path / "lake"))


@pytest.fixture()
def full_lake(lake: Lake, real_data: Path) -> tuple[Lake, dict[str, int]]:
    return lake, build_lake(lake, real_data)
