"""A small, hand-checked set of films: TMDB detail objects whose answers are worked out in the tests."""

from __future__ import annotations

from typing import Any

from cinelake.analysis import FILMS
from cinelake.analysis.model import Record
from tests.analysis.lakes import movie

M = 1_000_000


def hand_checked_movies() -> list[dict[str, Any]]:
    """Comedy: 9 eligible of 15 (ties, zero and tiny budgets, too few votes, unknown vote average,
    exact thresholds). Animation: 2 eligible (fewer than top=5). Drama: 1 film, not Comedy."""
    return [
        movie(
            10,
            "Alpha",
            ["Comedy"],
            budget=10 * M,
            revenue=40 * M,
            vote_average=8.0,
            vote_count=500,
            popularity=20.0,
        ),
        movie(
            11,
            "Bravo",
            ["Comedy"],
            budget=20 * M,
            revenue=30 * M,
            vote_average=8.0,
            vote_count=900,
            popularity=15.0,
        ),
        movie(
            12,
            "Charlie",
            ["Comedy"],
            budget=5 * M,
            revenue=50 * M,
            vote_average=8.0,
            vote_count=500,
            popularity=30.0,
        ),
        movie(
            13,
            "Delta",
            ["Comedy"],
            budget=30 * M,
            revenue=15 * M,
            vote_average=6.0,
            vote_count=300,
            popularity=5.0,
        ),
        movie(
            14,
            "Echo",
            ["Comedy"],
            budget=8 * M,
            revenue=8 * M,
            vote_average=5.0,
            vote_count=200,
            popularity=2.0,
        ),
        movie(
            15,
            "Foxtrot",
            ["Animation", "Comedy"],
            budget=40 * M,
            revenue=200 * M,
            vote_average=7.0,
            vote_count=1000,
            popularity=40.0,
            release_date="1999-12-24",
        ),
        movie(
            16,
            "Golf",
            ["Comedy"],
            budget=12 * M,
            revenue=6 * M,
            vote_average=4.0,
            vote_count=150,
            popularity=1.0,
        ),
        # Not eligible: budget 0 (TMDB's unknown), budget < 1,000, too few votes, revenue 0, no vote average.
        movie(
            17,
            "Hotel",
            ["Comedy"],
            budget=0,
            revenue=90 * M,
            vote_average=9.5,
            vote_count=5000,
            popularity=99.0,
        ),
        movie(
            18,
            "India",
            ["Comedy"],
            budget=999,
            revenue=5 * M,
            vote_average=9.0,
            vote_count=800,
            popularity=9.0,
        ),
        movie(
            19,
            "Juliet",
            ["Comedy"],
            budget=10 * M,
            revenue=20 * M,
            vote_average=9.9,
            vote_count=99,
            popularity=9.0,
        ),
        movie(
            20, "Kilo", ["Comedy"], budget=10 * M, revenue=0, vote_average=3.0, vote_count=400, popularity=9.0
        ),
        movie(
            21,
            "Lima",
            ["Comedy"],
            budget=10 * M,
            revenue=20 * M,
            vote_average=4.0,
            vote_count=150,
            popularity=3.0,
        ),
        movie(
            22,
            "Mike",
            ["Drama"],
            budget=10 * M,
            revenue=100 * M,
            vote_average=9.0,
            vote_count=1000,
            popularity=9.0,
        ),
        movie(
            23,
            "November",
            ["Comedy"],
            budget=5 * M,
            revenue=9 * M,
            vote_average=None,
            vote_count=200,
            popularity=1.0,
        ),
        # Exactly on every threshold: eligible.
        movie(
            24,
            "Oscar",
            ["Comedy"],
            budget=1000,
            revenue=1000,
            vote_average=6.5,
            vote_count=100,
            popularity=0.5,
        ),
        movie(
            30,
            "Papa",
            ["Animation"],
            budget=1 * M,
            revenue=3 * M,
            vote_average=7.5,
            vote_count=400,
            popularity=8.0,
            release_date="",
            imdb_id="",
        ),
    ]


def film_rows(movies: list[dict[str, Any]]) -> list[Record]:
    """The rows a loader would return for these objects (built here without DuckDB)."""
    rows = []
    for m in movies:
        released = m.get("release_date") or ""
        rows.append(
            FILMS.row_type(
                tmdb_id=m["id"],
                imdb_id=m.get("imdb_id") or None,
                title=m.get("title"),
                release_year=int(released[:4]) if len(released) >= 4 else None,
                genres=tuple(sorted(g["name"] for g in m.get("genres") or [])),
                budget=m.get("budget"),
                revenue=m.get("revenue"),
                popularity=m.get("popularity"),
                vote_average=m.get("vote_average"),
                vote_count=m.get("vote_count"),
            )
        )
    return rows
