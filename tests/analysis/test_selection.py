"""The selection every answer shares: genres combined by any / all, a range of years, N from 1 to 20,
the rank key; the films' and the series' answers apply it the same way."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

import pytest

from cinelake.analysis import SERIES, analyze, analyze_films
from cinelake.analysis.model import Record
from cinelake.errors import UsageError
from tests.analysis.films import film_rows, hand_checked_movies


@pytest.fixture(scope="module")
def rows() -> list[Record]:
    films = film_rows(hand_checked_movies())
    # Spread the release years so a range has something to cut: 1990 + id % 20.
    return [replace(f, release_year=1990 + f.tmdb_id % 20) for f in films]


def _eligible_ids(answer: Any, label: str) -> set[int]:
    return {f.tmdb_id for f in answer.genres[label].titles}


def test_any_is_the_union_and_all_the_intersection_of_the_single_genres(rows: list[Record]) -> None:
    single = analyze_films(rows, genres=["Comedy", "Animation"], min_votes=0)
    comedy, animation = _eligible_ids(single, "Comedy"), _eligible_ids(single, "Animation")
    both = analyze_films(rows, genres=["comedy", "animation"], match="all", min_votes=0)
    either = analyze_films(rows, genres=["Comedy", "Animation"], match="any", min_votes=0)
    assert list(both.genres) == ["Comedy and Animation"] and list(either.genres) == ["Comedy or Animation"]
    assert _eligible_ids(both, "Comedy and Animation") == comedy & animation
    assert _eligible_ids(either, "Comedy or Animation") == comedy | animation
    assert comedy & animation and comedy - animation  # the test data tells the two apart
    assert both.to_dict()["definition"]["match"] == "all"
    assert "all of the group's genres" in both.to_dict()["definition"]["eligible"]


def test_one_genre_with_a_match_answers_as_the_genre_alone(rows: list[Record]) -> None:
    alone = analyze_films(rows, genres=["Comedy"]).to_dict()["genres"]
    grouped = analyze_films(rows, genres=["Comedy"], match="any").to_dict()["genres"]
    assert grouped == alone


def test_a_year_range_keeps_the_years_inside_it_bounds_included(rows: list[Record]) -> None:
    answer = analyze_films(rows, genres=["Comedy"], year_from=2000, year_to=2004, min_votes=0)
    years = {f.release_year for f in answer.genres["Comedy"].titles}
    assert years and years <= set(range(2000, 2005))
    everything = analyze_films(rows, genres=["Comedy"], min_votes=0).genres["Comedy"].titles
    assert {f.tmdb_id for f in answer.genres["Comedy"].titles} == {
        f.tmdb_id for f in everything if f.release_year is not None and 2000 <= f.release_year <= 2004
    }
    unknown = [replace(r, release_year=None) for r in rows]
    assert analyze_films(unknown, genres=["Comedy"], year_from=1900).genres["Comedy"].eligible == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"top": 21}, "--top must be at most 20"),
        ({"top": 0}, "--top must be at least 1"),
        ({"match": "some"}, "unknown --match 'some'"),
        ({"year_from": 2010, "year_to": 2000}, "--year-from 2010 is after --year-to 2000"),
        ({"year_from": 12}, "--year-from must be a year from 1870 to 2100"),
        ({"genres": ["Comedy' OR 1=1 --"]}, 'unknown genre "Comedy\' OR 1=1 --": known genres are'),
    ],
)
def test_bad_selections_are_one_line_usage_errors(
    rows: list[Record], kwargs: dict[str, Any], message: str
) -> None:
    for answer in (analyze_films, partial(analyze, SERIES)):
        arguments = dict(kwargs)
        if answer is not analyze_films and "genres" in arguments:
            message = message.replace("unknown genre", "unknown TV genre").replace(
                "known genres", "known TV genres"
            )
        with pytest.raises(UsageError) as caught:
            answer([], **arguments)  # type: ignore[operator]
        assert message in str(caught.value) and "\n" not in str(caught.value)


def _series(
    tmdb_id: int, vote: float, popularity: float | None, year: int, genres: tuple[str, ...]
) -> Record:
    return SERIES.row_type(tmdb_id, None, f"S{tmdb_id}", year, genres, popularity, vote, 100, 1, 10)


def test_series_rank_by_popularity_match_all_and_years() -> None:
    rows = [
        _series(1, 9.0, 1.0, 2001, ("Comedy", "Animation")),
        _series(2, 5.0, 50.0, 2002, ("Comedy", "Animation")),
        _series(3, 7.0, 20.0, 2003, ("Comedy",)),
        _series(4, 6.0, None, 2004, ("Comedy", "Animation")),  # no popularity: not rankable by it
        _series(5, 8.0, 30.0, 1995, ("Comedy", "Animation")),
    ]
    answer = analyze(
        SERIES, rows, genres=["Comedy", "Animation"], match="all", year_from=2000, rank_by="popularity", top=1
    )
    group = answer.genres["Comedy and Animation"]
    assert (
        group.eligible == 2
        and [s.tmdb_id for s in group.best] == [2]
        and [s.tmdb_id for s in group.worst] == [1]
    )
    assert answer.to_dict()["definition"]["rank_by"] == "popularity"
    with pytest.raises(UsageError, match="unknown --rank-by 'roi': choose one of vote_average, popularity"):
        analyze(SERIES, rows, genres=["Comedy"], rank_by="roi")
