"""`--as-of DAY|SNAPSHOT_ID`: the lake as it stood at the end of a collection day, or at a snapshot."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cinelake.analysis import budget_vs_revenue
from cinelake.engines import raw_to_trusted, trusted_to_refined
from cinelake.errors import UsageError
from cinelake.lake.store import Lake
from cinelake.query import run_sql
from cinelake.tables.registry import refined_table
from cinelake.tables.store import load
from tests.analysis.films import hand_checked_movies
from tests.analysis.lakes import write_raw

DAY1, DAY2 = date(2026, 11, 25), date(2026, 11, 26)
COUNT = "SELECT count(*), max(snapshot_date) FROM fact_movie_history"


@pytest.mark.slow
def test_a_day_two_lake_answers_as_it_stood_on_day_one(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    movies = hand_checked_movies()
    write_raw(lake, movies, DAY1)
    raw_to_trusted(lake)
    trusted_to_refined(lake)
    day1_rows = run_sql(lake, COUNT).rows
    day1_answer = budget_vs_revenue(lake).to_dict()["genres"]
    table = load(lake, refined_table("fact_movie_history"))
    assert table is not None and table.current_snapshot() is not None
    day1_snapshot = table.current_snapshot().snapshot_id  # type: ignore[union-attr]

    # Day 2: every film is collected again, its score changed.
    write_raw(lake, [{**m, "vote_average": 10 - float(m.get("vote_average") or 0)} for m in movies], DAY2)
    raw_to_trusted(lake)
    trusted_to_refined(lake)
    assert run_sql(lake, COUNT).rows == [(2 * len(movies), DAY2)]
    assert budget_vs_revenue(lake).to_dict()["genres"] != day1_answer

    assert run_sql(lake, COUNT, as_of=DAY1.isoformat()).rows == day1_rows == [(len(movies), DAY1)]
    assert run_sql(lake, COUNT, as_of=str(day1_snapshot)).rows == day1_rows
    assert budget_vs_revenue(lake, as_of=DAY1.isoformat()).to_dict()["genres"] == day1_answer
    with pytest.raises(UsageError, match="give a day"):
        run_sql(lake, COUNT, as_of="yesterday")
