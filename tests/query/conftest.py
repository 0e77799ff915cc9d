"""Fixtures of the query tests: a crawled lake with every zone."""

from __future__ import annotations

from pathlib import Path

import pytest

from cinelake.catalog import crawl
from cinelake.lake.store import Lake
from tests.catalog.lakes import build_lake


@pytest.fixture()
def lake(tmp_path: Path) -> Lake:
    return Lake(str(tmp_path / "lake"))


@pytest.fixture()
def crawled(lake: Lake, real_data: Path) -> tuple[Lake, dict[str, int]]:
    records = build_lake(lake, real_data)
    crawl(lake)
    return lake, records
