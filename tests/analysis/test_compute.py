"""The definition on the hand-checked set: eligibility, ordering and tie-breaks, the figures, notes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import pytest

from cinelake.analysis import FILMS, analyze_films
from cinelake.analysis.model import Record
from cinelake.errors import UsageError
from tests.analysis.films import M, film_rows, hand_checked_movies


@pytest.fixture(scope="module")
def rows() -> list[Record]:
    return film_rows(hand_checked_movies())


def ids(films: Iterable[Record]) -> list[int]:
    return [f.tmdb_id for f in films]


def test_eligibility_excludes_unknown_money_few_votes_and_unknown_rank(rows: list[Record]) -> None:
    comedy = analyze_films(rows).genres["Comedy"]
    # 17 budget 0, 18 budget 999, 19 99 votes, 20 revenue 0, 22 Drama, 23 no vote average are out;
    # 24 sits exactly on budget 1,000 / revenue 1,000 / 100 votes and is in.
    assert ids(comedy.titles) == [10, 11, 12, 13, 14, 15, 16, 21, 24]
    assert comedy.eligible == 9


def test_best_and_worst_with_their_tie_breaks(rows: list[Record]) -> None:
    comedy = analyze_films(rows).genres["Comedy"]
    # 10, 11, 12 all have 8.0: 11 has the most votes; 10 and 12 tie on votes too, so the lower id comes first.
    assert ids(comedy.best) == [11, 10, 12, 15, 24]
    # 16 and 21 tie on 4.0 and 150 votes: the lower id first.
    assert ids(comedy.worst) == [16, 21, 14, 13, 24]
    assert comedy.notes == ("1 film is in both best and worst (fewer than 10 eligible)",)


def test_per_film_fields(rows: list[Record]) -> None:
    foxtrot = next(f for f in analyze_films(rows).genres["Comedy"].best if f.tmdb_id == 15)
    assert foxtrot.to_dict() == {
        "tmdb_id": 15,
        "imdb_id": "tt0000015",
        "title": "Foxtrot",
        "release_year": 1999,
        "vote_average": 7.0,
        "vote_count": 1000,
        "budget": 40 * M,
        "revenue": 200 * M,
        "profit": 160 * M,
        "roi": 5.0,
        "popularity": 40.0,
    }


def test_group_summaries(rows: list[Record]) -> None:
    comedy = analyze_films(rows).genres["Comedy"]
    best, worst = comedy.best_summary, comedy.worst_summary
    # best ROIs 1.5, 4, 10, 5, 1 -> median 4; worst ROIs 0.5, 2, 1, 0.5, 1 -> median 1
    assert best.median_roi == 4.0
    assert worst.median_roi == 1.0
    assert best.total_budget == 75 * M + 1000
    assert best.total_revenue == 320 * M + 1000
    assert worst.total_budget == 60 * M + 1000
    assert worst.total_revenue == 49 * M + 1000
    assert best.median_popularity == 20.0  # 0.5, 15, 20, 30, 40
    assert worst.median_popularity == 2.0  # 0.5, 1, 2, 3, 5
    assert comedy.median_popularity_difference == 18.0
    summary = comedy.to_dict()["summary"]
    assert summary["median_popularity_difference"] == 18.0
    assert summary["best"]["count"] == 5


def test_correlations_over_all_eligible_films(rows: list[Record]) -> None:
    comedy = analyze_films(rows).genres["Comedy"]
    frame = pd.DataFrame([f.to_dict() for f in comedy.titles])
    ranked = frame.corr(method="spearman", numeric_only=True)
    expected = {
        "budget_revenue": ranked.loc["budget", "revenue"],
        "popularity_budget": ranked.loc["popularity", "budget"],
        "popularity_revenue": ranked.loc["popularity", "revenue"],
        "popularity_roi": ranked.loc["popularity", "roi"],
        "popularity_vote_average": ranked.loc["popularity", "vote_average"],
    }
    assert tuple(comedy.correlations) == tuple(key for key, _, _ in FILMS.correlations)
    for key, value in expected.items():
        assert comedy.correlations[key] == pytest.approx(value, abs=1e-12), key


def test_a_genre_with_fewer_than_top_eligible_films_is_reported(rows: list[Record]) -> None:
    animation = analyze_films(rows).genres["Animation"]
    assert animation.eligible == 2
    assert ids(animation.best) == [30, 15]
    assert ids(animation.worst) == [15, 30]
    assert (
        animation.notes[0]
        == "only 2 eligible Animation films, fewer than top=5: best and worst each list all of them"
    )
    assert set(animation.correlations.values()) == {None}
    papa = animation.best[0]
    assert (papa.imdb_id, papa.release_year) == (None, None)


def test_a_known_genre_without_films_gives_an_empty_answer(rows: list[Record]) -> None:
    western = analyze_films(rows, genres=["western"]).genres["Western"]
    assert (western.eligible, western.best, western.worst) == (0, (), ())
    assert "no Western film is eligible" in western.notes[0]
    assert western.best_summary.median_roi is None


def test_parameters_change_the_answer(rows: list[Record]) -> None:
    answer = analyze_films(rows, genres=["comedy"], top=2, min_votes=500, rank_by="roi")
    comedy = answer.genres["Comedy"]
    assert answer.definition.genres == ("Comedy",)
    assert ids(comedy.titles) == [10, 11, 12, 15]
    assert ids(comedy.best) == [12, 15]  # ROI 10 and 5
    assert ids(comedy.worst) == [11, 10]  # ROI 1.5 and 4
    assert "vote_count >= 500" in answer.definition.to_dict()["eligible"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"genres": ["Comedy", "Sitcom"]}, "unknown genre 'Sitcom'"),
        ({"rank_by": "budget_adj"}, "unknown --rank-by 'budget_adj'"),
        ({"top": 0}, "--top must be at least 1"),
        ({"min_votes": -1}, "--min-votes cannot be negative"),
        ({"genres": []}, "give at least one genre"),
        ({"genres": ["Comedy", "comedy"]}, "listed twice"),
    ],
)
def test_bad_parameters_are_usage_errors(rows: list[Record], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")) as caught:
        analyze_films(rows, **kwargs)
    assert caught.value.exit_code == 2
    assert "\n" not in str(caught.value)


def test_json_is_stable_and_complete(rows: list[Record]) -> None:
    data = analyze_films(rows).to_dict()
    assert list(data) == ["definition", "genres", "source", "notice"]
    assert list(data["genres"]) == ["Comedy", "Animation"]
    assert set(data["genres"]["Comedy"]) >= {"eligible", "best", "worst", "summary", "correlations"}
