"""The dashboard's answer runs the analysis over the table it keeps of the lake's rows: on a seeded
generated lake it equals ``analyze`` over the rows as ``cinelake analyze`` reads them, for several
genres, both match modes, year ranges, thresholds and rank keys, and its chart sample changes no
figure."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from cinelake.analysis.compute import analyze
from cinelake.analysis.kinds import FILMS
from cinelake.analysis.loader import load_with
from cinelake.lake.store import Lake
from cinelake.views.dashboard.data import LakeAnswers
from cinelake.views.dashboard.params import ViewParams
from tests.analysis.lakes import movie, write_refined

GENRES = ("Action", "Animation", "Comedy", "Drama", "Family", "Horror")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> LakeAnswers:
    """400 films of one to three genres, with years, votes, money and values drawn from a seeded
    generator (ties and unknowns included)."""
    draw = random.Random(21)
    films = [
        movie(
            n,
            f"Film {n}",
            draw.sample(GENRES, draw.randint(1, 3)),
            budget=draw.choice([None, 0, 500, *range(1_000_000, 90_000_000, 7_000_000)]),
            revenue=draw.choice([None, 0, *range(500_000, 400_000_000, 9_000_000)]),
            vote_average=draw.choice([None, *[v / 2 for v in range(2, 20)]]),
            vote_count=draw.choice([None, 0, 40, 99, 100, 101, 250, 1_000, 5_000]),
            popularity=draw.choice([None, *[p / 4 for p in range(1, 200)]]),
            release_date=draw.choice([None, *[f"{y}-06-01" for y in range(1975, 2024)]]),
        )
        for n in range(1, 401)
    ]
    root = Path(tmp_path_factory.mktemp("generated")) / "lake"
    write_refined(Lake(str(root)), films, date(2026, 11, 27))
    return LakeAnswers(Lake(str(root)))


VIEWS = [
    ViewParams(genres=("Comedy",), match="any"),
    ViewParams(genres=("Comedy", "Animation"), match="any", n=3),
    ViewParams(genres=("Comedy", "Animation"), match="all", min_votes=0),
    ViewParams(genres=("drama", "Family", "Horror"), match="any", year_from=1990, year_to=2009),
    ViewParams(genres=("Action", "Drama"), match="all", min_votes=250, rank_by="popularity", n=8),
    ViewParams(genres=("Horror",), match="any", year_from=2000, n=20),
    ViewParams(genres=("Family", "Comedy"), match="any", year_to=1999, rank_by="popularity", n=1),
]


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.query())
def test_the_dashboard_answer_equals_the_answer_over_the_rows(answers: LakeAnswers, view: ViewParams) -> None:
    loaded = load_with(answers.lake, FILMS)  # the rows as `cinelake analyze` reads them
    plain = analyze(
        FILMS,
        loaded.rows,
        genres=view.genres,
        top=view.n,
        min_votes=view.min_votes,
        rank_by=view.rank_by,
        match=view.match,
        year_from=view.year_from,
        year_to=view.year_to,
        known_genres=loaded.known_genres,
        source=loaded.source,
    )
    dashboard = answers.answer(view)
    assert [g.eligible for g in plain.genres.values()] != [0]  # the view selects titles
    assert dashboard.genres == plain.genres
    assert dashboard.definition == plain.definition
    sampled = answers.answer(view, chart_points=60)
    assert sampled.to_dict()["genres"] == plain.to_dict()["genres"]
    assert all(len(g.titles) == min(60, g.eligible) for g in sampled.genres.values())


def test_the_rows_are_dropped_once_their_table_is_built(answers: LakeAnswers) -> None:
    """Between reads the dashboard keeps each kind's table, genre names and source, not its rows: after
    a view is answered no record of the kind is alive (on a million films they were about a gigabyte)."""
    import gc

    view = ViewParams(genres=("Comedy",), match="any")
    assert answers.answer(view).genres
    assert answers.source("movies").zone
    gc.collect()
    alive = sum(1 for found in gc.get_objects() if isinstance(found, FILMS.row_type))
    assert alive <= 10, alive  # at most the titles of the answer just shown
