"""Load in the suite: 20,000 ids in one run (the 100,000-id figure comes from ``python -m
tests.reliability.load --ids 100000``, run by hand: about 100,000 requests take minutes here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.figures import FIGURES
from tests.reliability.load import run_load

pytestmark = [pytest.mark.integration, pytest.mark.slow]

IDS = 20_000


def test_twenty_thousand_ids_in_one_run_all_once_with_flat_memory(tmp_path: Path) -> None:
    figures = run_load(IDS, tmp_path)
    assert figures["failed"] == 0 and figures["found"] >= 10_000
    assert figures["found"] + figures["not_found"] == IDS
    assert figures["rss_samples"] >= 20
    # Flat: the last tenth of the run holds no more than 64 MB over its second tenth.
    assert figures["rss_late_mb"] - figures["rss_early_mb"] < 64, figures
    FIGURES["load_suite"] = figures
