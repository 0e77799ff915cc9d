"""A kind of title is one declaration: a new one answers through the same code as films and series."""

from __future__ import annotations

from dataclasses import replace

from cinelake.analysis import FILMS, SERIES, analyze
from cinelake.analysis.kinds import Column, Figure, TitleKind
from cinelake.analysis.model import Analysis
from cinelake.analysis.report import _genre_section


def shows() -> TitleKind:
    """A kind declared here only: series ranked on their seasons, summed by episodes."""
    return replace(
        SERIES,
        singular="show",
        plural="shows",
        in_both=("show is", "shows are"),
        shown=("vote_count", "seasons", "episodes"),
        rank_keys=("seasons",),
        default_min_votes=10,
        summary=(Figure("count", "count"), Figure("total_episodes", "total", "episodes")),
        correlations=(("seasons_episodes", "seasons", "episodes"),),
        correlations_words="Spearman rank correlation of seasons and episodes",
        page_columns=(Column("show", "name", "title"), Column("seasons", "seasons", "plain")),
        summary_rows=(("shows", "count", "plain"), ("total episodes", "total_episodes", "count")),
        charts=(),
        reading=lambda result, rank_by: f"{result.eligible} eligible {result.genre} shows by {rank_by}.",
    )


def test_a_kind_declared_elsewhere_is_answered_by_the_one_code_path() -> None:
    kind = shows()
    rows = [
        kind.row_type(
            i, None, f"S{i}", 2000 + i, ("Comedy",), 1.0, 7.0, votes, seasons, seasons and seasons * 10
        )
        for i, votes, seasons in [(1, 50, 3), (2, 5, 9), (3, 40, 1), (4, 30, 6), (5, 20, None)]
    ]
    answer = analyze(kind, rows, genres=["comedy"], top=2, rank_by="seasons")
    comedy = answer.genres["Comedy"]
    # Show 2 has too few votes (10 is the kind's default); show 5 no seasons to rank on.
    assert comedy.eligible == 3
    document = answer.to_dict()
    best = document["genres"]["Comedy"]["best"]
    assert best == [
        {
            "tmdb_id": 4,
            "imdb_id": None,
            "name": "S4",
            "first_air_year": 2004,
            "vote_count": 30,
            "seasons": 6,
            "episodes": 60,
        },
        {
            "tmdb_id": 1,
            "imdb_id": None,
            "name": "S1",
            "first_air_year": 2001,
            "vote_count": 50,
            "seasons": 3,
            "episodes": 30,
        },
    ]
    assert document["genres"]["Comedy"]["summary"]["best"] == {"count": 2, "total_episodes": 90}
    assert list(document["genres"]["Comedy"]["correlations"]) == ["seasons_episodes"]
    assert document["definition"]["eligible"].startswith("a show whose TMDB TV genres include the genre")
    assert "vote_count >= 10" in document["definition"]["eligible"]
    page = _genre_section(comedy, answer)
    assert 'id="series-comedy"' in page and "3 eligible shows" in page and "<th>seasons</th>" in page
    assert "3 eligible Comedy shows by seasons." in page


def test_films_and_series_are_two_declarations_of_one_type() -> None:
    assert isinstance(FILMS, TitleKind) and isinstance(SERIES, TitleKind)
    assert FILMS.row_type is not SERIES.row_type  # each kind's own fields...
    films = analyze(FILMS, [], genres=["Comedy"])
    series = analyze(SERIES, [], genres=["Comedy"])
    assert type(films) is type(series) is Analysis  # ...answered by the same classes
    assert (
        films.to_dict()["definition"]["min_votes"] == 100
        and series.to_dict()["definition"]["min_votes"] == 50
    )
