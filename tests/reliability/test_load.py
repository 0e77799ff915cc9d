"""Load in the suite: 40,000 ids in one run, 29,145 of them misses (the 100,000-id figure comes from
``python -m tests.reliability.load --ids 100000``, run by hand).

Flat memory is checked where a leak would show: a run that kept each miss in memory (as it once did,
for the manifest) grew by about 0.6 KB per miss, 12 MB over 19,145 misses; the spool keeps it at ~2 MB.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.figures import FIGURES
from tests.reliability.load import run_load

pytestmark = [pytest.mark.integration, pytest.mark.slow]

IDS = 40_000


def test_forty_thousand_ids_in_one_run_all_once_with_flat_memory(tmp_path: Path) -> None:
    figures = run_load(IDS, tmp_path)
    assert figures["failed"] == 0 and figures["found"] >= 10_000
    assert figures["found"] + figures["not_found"] == IDS
    assert figures["rss_samples"] >= 20
    # Flat: the last tenth of the run holds no more than 8 MB over its second tenth.
    assert figures["rss_late_mb"] - figures["rss_early_mb"] < 8, figures
    FIGURES["load_suite"] = figures
