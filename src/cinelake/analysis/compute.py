"""The budget-vs-revenue definition as a pure function over film rows: no files, no engines.

Loaders (:mod:`cinelake.analysis.sources`) read the rows from whichever zone of the lake exists; this
module alone decides which films are eligible, which are the best and the worst, and what the figures
are, so the definition lives in exactly one place and is tested without a lake.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import partial

from cinelake.analysis.model import (
    CORRELATION_KEYS,
    MIN_BUDGET,
    MIN_REVENUE,
    RANK_BY_CHOICES,
    Analysis,
    Definition,
    Film,
    FilmRow,
    GenreResult,
    GroupSummary,
    Source,
)
from cinelake.analysis.ranking import best_and_worst as _best_and_worst
from cinelake.analysis.ranking import checked_definition, group_notes, resolve_names, unique_by_id
from cinelake.analysis.stats import median, spearman

# TMDB's movie genre list (/genre/movie/list): a genre named here is known even when the lake holds
# no film of it (the answer is then "0 eligible", not an error).
TMDB_MOVIE_GENRES: tuple[str, ...] = (
    "Action",
    "Adventure",
    "Animation",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Family",
    "Fantasy",
    "History",
    "Horror",
    "Music",
    "Mystery",
    "Romance",
    "Science Fiction",
    "TV Movie",
    "Thriller",
    "War",
    "Western",
)


# Validate the parameters (a UsageError for each mistake) and return the films' definition.
make_definition = partial(checked_definition, Definition, RANK_BY_CHOICES)


def resolve_genres(requested: Sequence[str], known: Iterable[str]) -> tuple[str, ...]:
    """Map each requested genre to its spelling in the data (case-insensitively); unknown ones are a
    :class:`UsageError` that lists the genres that exist."""
    return resolve_names(requested, known, TMDB_MOVIE_GENRES)


def analyze_films(
    rows: Iterable[FilmRow],
    *,
    genres: Sequence[str] = ("Comedy", "Animation"),
    top: int = 5,
    min_votes: int = 100,
    rank_by: str = "vote_average",
    match: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    known_genres: Iterable[str] | None = None,
    source: Source | None = None,
    notice: str = "",
) -> Analysis:
    """Apply the definition to ``rows`` and return the answer for each genre (in the order asked).

    ``known_genres`` are the genre names the data holds (default: those of ``rows``); a requested genre
    that is neither there nor in TMDB's list is a :class:`UsageError`. ``match`` and the years
    select as :class:`cinelake.analysis.ranking.Selection` says.
    """
    films_in = unique_by_id(rows)
    definition = make_definition(
        genres, top, min_votes, rank_by, match=match, year_from=year_from, year_to=year_to
    )
    known = set(known_genres) if known_genres is not None else {g for r in films_in for g in r.genres}
    definition = replace(definition, genres=resolve_genres(definition.genres, known))
    groups = definition.selection.groups()
    results = {label: _genre_result(label, group, films_in, definition) for label, group in groups.items()}
    return Analysis(definition=definition, genres=results, source=source, notice=notice)


def is_eligible(row: FilmRow, group: tuple[str, ...], definition: Definition) -> bool:
    if not definition.selection.admits(group, row.genres, row.release_year):
        return False
    if row.budget is None or row.budget < MIN_BUDGET or row.revenue is None or row.revenue < MIN_REVENUE:
        return False
    if row.vote_count is None or row.vote_count < definition.min_votes:
        return False
    return _rank_value(_film(row), definition.rank_by) is not None


def _film(row: FilmRow) -> Film:
    budget = int(row.budget or 0)
    revenue = int(row.revenue or 0)
    return Film(
        tmdb_id=row.tmdb_id,
        imdb_id=row.imdb_id,
        title=row.title,
        release_year=row.release_year,
        vote_average=row.vote_average,
        vote_count=int(row.vote_count or 0),
        budget=budget,
        revenue=revenue,
        profit=revenue - budget,
        roi=revenue / budget if budget else float("nan"),
        popularity=row.popularity,
    )


def _rank_value(film: Film, rank_by: str) -> float | None:
    value = getattr(film, rank_by)
    return None if value is None else float(value)


def best_and_worst(films: Sequence[Film], rank_by: str, top: int) -> tuple[list[Film], list[Film]]:
    """The first ``top`` by ``rank_by`` descending and ascending; both tie-break on vote_count
    descending, then TMDB id ascending."""

    def value(film: Film) -> float:
        known = _rank_value(film, rank_by)
        assert known is not None  # eligibility guarantees it
        return known

    return _best_and_worst(films, value, top)


def summarize(group: Sequence[Film]) -> GroupSummary:
    return GroupSummary(
        count=len(group),
        median_roi=median([f.roi for f in group]),
        total_budget=sum(f.budget for f in group),
        total_revenue=sum(f.revenue for f in group),
        median_popularity=median([f.popularity for f in group]),
        median_vote_average=median([f.vote_average for f in group]),
    )


def correlations(films: Sequence[Film]) -> dict[str, float | None]:
    budget = [float(f.budget) for f in films]
    revenue = [float(f.revenue) for f in films]
    popularity = [f.popularity for f in films]
    found = {
        "budget_revenue": spearman(budget, revenue),
        "popularity_budget": spearman(popularity, budget),
        "popularity_revenue": spearman(popularity, revenue),
        "popularity_roi": spearman(popularity, [f.roi for f in films]),
        "popularity_vote_average": spearman(popularity, [f.vote_average for f in films]),
    }
    return {key: found[key] for key in CORRELATION_KEYS}


def _genre_result(
    genre: str, group: tuple[str, ...], rows: Sequence[FilmRow], definition: Definition
) -> GenreResult:
    eligible = [_film(r) for r in rows if is_eligible(r, group, definition)]
    eligible.sort(key=lambda f: f.tmdb_id)
    best, worst = best_and_worst(eligible, definition.rank_by, definition.top)
    notes = _notes(genre, len(eligible), best, worst, definition.top)
    return GenreResult(
        genre=genre,
        eligible=len(eligible),
        best=tuple(best),
        worst=tuple(worst),
        best_summary=summarize(best),
        worst_summary=summarize(worst),
        correlations=correlations(eligible),
        notes=tuple(notes),
        films=tuple(eligible),
    )


def _notes(genre: str, eligible: int, best: Sequence[Film], worst: Sequence[Film], top: int) -> list[str]:
    return group_notes(
        genre,
        eligible,
        best,
        worst,
        top,
        noun=lambda n: "film" if n == 1 else "films",
        in_both=lambda n: "film is" if n == 1 else "films are",
    )
