"""Ids TMDB did not know are asked again after 1, 2, 4, ... days (30 at most), not every day."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from cinelake.config import Settings
from cinelake.ingest.progress import run_summary
from cinelake.ingest.tmdb import TMDBIngestRequest, ingest_tmdb
from cinelake.ingest.unknown import UnknownIds, load_unknown
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from tests.ingest.conftest import UNKNOWN_IDS

DAY = date(2026, 11, 26)


def test_the_wait_doubles_up_to_30_days() -> None:
    unknown = UnknownIds()
    day, waits = DAY, []
    for _ in range(8):
        unknown.record(["tt1"], {"tt1"}, day)
        entry = unknown.get("tt1")
        assert entry is not None
        due = entry.due
        waits.append((due - day).days)
        assert unknown.waiting(["tt1"], due - timedelta(days=1)) == {"tt1"}
        assert unknown.waiting(["tt1"], due) == set()
        day = due
    assert waits == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_rerun_the_same_day_does_not_count_twice_and_a_find_is_forgotten() -> None:
    unknown = UnknownIds()
    unknown.record(["tt1", "tt2"], {"tt1", "tt2"}, DAY)
    unknown.record(["tt1", "tt2"], {"tt1"}, DAY)  # the same day again; tt2 found after all
    assert unknown.get("tt1") == (1, DAY) and "tt2" not in unknown


def test_runs_on_later_days_skip_the_unknown_ids_until_their_next_try(
    tmp_path: Path, small_csv: Path, settings: Settings
) -> None:
    lake = Lake(str(tmp_path / "lake"))

    def run(day: date) -> tuple[int, int, str]:
        request = TMDBIngestRequest(
            kind=Kind.MOVIES, day=day, source="csv", csv=str(small_csv), genres=("Comedy",)
        )
        result = ingest_tmdb(lake, request, settings)
        assert result.status == "complete"
        return result.not_found, result.unknown_waiting, run_summary(result)

    assert run(DAY)[:2] == (3, 0)  # asked, not found: recorded in the lake
    record = load_unknown(lake, Kind.MOVIES)
    assert {k for k, _ in record.items()} == set(UNKNOWN_IDS)
    assert all(u.misses == 1 for _, u in record.items())
    assert run(DAY + timedelta(days=1))[:2] == (3, 0)  # due a day later: asked again, missed again
    not_found, waiting, said = run(DAY + timedelta(days=2))  # next try two days after that: left out
    assert (not_found, waiting) == (0, 3)
    assert said.endswith("; 3 ids TMDB did not know left out until their next try")
    assert run(DAY + timedelta(days=3))[:2] == (3, 0)  # due again
    assert all(u.misses == 3 for _, u in load_unknown(lake, Kind.MOVIES).items())
