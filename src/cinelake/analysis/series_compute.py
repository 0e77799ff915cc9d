"""The series answer as a pure function over series rows: no files, no engines.

The best and worst series of a genre by vote_average, with popularity, seasons and episodes, and how
popularity follows the votes, the seasons and the episodes (Spearman). TV has no budget or revenue in
TMDB, so this answer has no money figures (:data:`cinelake.analysis.series_model.NO_MONEY`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import partial

from cinelake.analysis.model import Source
from cinelake.analysis.ranking import best_and_worst as _best_and_worst
from cinelake.analysis.ranking import checked_definition, group_notes, resolve_names, unique_by_id
from cinelake.analysis.series_model import (
    SERIES_CORRELATION_KEYS,
    SERIES_MIN_VOTES,
    SERIES_RANK_BY_CHOICES,
    Series,
    SeriesAnalysis,
    SeriesDefinition,
    SeriesGenreResult,
    SeriesRow,
    SeriesSummary,
)
from cinelake.analysis.stats import median, spearman

# TMDB's TV genre list (/genre/tv/list): a genre named here is known even when the lake holds no
# series of it (the answer is then "0 eligible", not an error).
TMDB_TV_GENRES: tuple[str, ...] = (
    "Action & Adventure",
    "Animation",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Family",
    "Kids",
    "Mystery",
    "News",
    "Reality",
    "Sci-Fi & Fantasy",
    "Soap",
    "Talk",
    "War & Politics",
    "Western",
)


def resolve_series_genres(requested: Sequence[str], known: Iterable[str]) -> tuple[str, ...]:
    """Each requested genre in its spelling in the data or in TMDB's TV list (case-insensitively); an
    unknown one is a :class:`UsageError` that lists the genres that exist."""
    return resolve_names(requested, known, TMDB_TV_GENRES, what="TV genre")


def analyze_series(
    rows: Iterable[SeriesRow],
    *,
    genres: Sequence[str] = ("Comedy", "Animation"),
    top: int = 5,
    min_votes: int = SERIES_MIN_VOTES,
    rank_by: str = "vote_average",
    match: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    known_genres: Iterable[str] | None = None,
    source: Source | None = None,
    notice: str = "",
) -> SeriesAnalysis:
    """Apply the series definition to ``rows``; the answer for each genre (or genre group) in the
    order asked."""
    definition = make_series_definition(
        genres, top, min_votes, rank_by, match=match, year_from=year_from, year_to=year_to
    )
    unique = unique_by_id(rows)
    known = set(known_genres) if known_genres is not None else {g for r in unique for g in r.genres}
    definition = replace(definition, genres=resolve_series_genres(definition.genres, known))
    groups = definition.selection.groups()
    results = {label: _genre_result(label, group, unique, definition) for label, group in groups.items()}
    return SeriesAnalysis(definition=definition, genres=results, source=source, notice=notice)


# Validate the parameters (the films' checks, the series' rank keys) and return the series' definition.
make_series_definition = partial(checked_definition, SeriesDefinition, SERIES_RANK_BY_CHOICES)


def is_eligible(row: SeriesRow, group: tuple[str, ...], definition: SeriesDefinition) -> bool:
    return (
        definition.selection.admits(group, row.genres, row.first_air_year)
        and row.vote_count is not None
        and row.vote_count >= definition.min_votes
        and row.vote_average is not None
        and getattr(row, definition.rank_by) is not None
    )


def _series(row: SeriesRow) -> Series:
    assert row.vote_average is not None and row.vote_count is not None  # eligibility guarantees it
    return Series(
        tmdb_id=row.tmdb_id,
        imdb_id=row.imdb_id,
        name=row.name,
        first_air_year=row.first_air_year,
        vote_average=row.vote_average,
        vote_count=row.vote_count,
        popularity=row.popularity,
        seasons=row.seasons,
        episodes=row.episodes,
    )


def best_and_worst(
    series: Sequence[Series], top: int, rank_by: str = "vote_average"
) -> tuple[list[Series], list[Series]]:
    """The first ``top`` by ``rank_by`` descending and ascending; both tie-break on vote_count
    descending, then TMDB id ascending (eligibility guarantees the value is known)."""
    return _best_and_worst(series, lambda s: float(getattr(s, rank_by)), top)


def _float(value: int | None) -> float | None:
    return None if value is None else float(value)


def summarize(group: Sequence[Series]) -> SeriesSummary:
    return SeriesSummary(
        count=len(group),
        median_popularity=median([s.popularity for s in group]),
        median_vote_average=median([s.vote_average for s in group]),
        median_seasons=median([_float(s.seasons) for s in group]),
        median_episodes=median([_float(s.episodes) for s in group]),
    )


def correlations(series: Sequence[Series]) -> dict[str, float | None]:
    popularity = [s.popularity for s in series]
    found = {
        "popularity_vote_average": spearman(popularity, [s.vote_average for s in series]),
        "popularity_seasons": spearman(popularity, [_float(s.seasons) for s in series]),
        "popularity_episodes": spearman(popularity, [_float(s.episodes) for s in series]),
    }
    return {key: found[key] for key in SERIES_CORRELATION_KEYS}


def _genre_result(
    genre: str, group: tuple[str, ...], rows: Sequence[SeriesRow], definition: SeriesDefinition
) -> SeriesGenreResult:
    eligible = [_series(r) for r in rows if is_eligible(r, group, definition)]
    eligible.sort(key=lambda s: s.tmdb_id)
    best, worst = best_and_worst(eligible, definition.top, definition.rank_by)
    return SeriesGenreResult(
        genre=genre,
        eligible=len(eligible),
        best=tuple(best),
        worst=tuple(worst),
        best_summary=summarize(best),
        worst_summary=summarize(worst),
        correlations=correlations(eligible),
        notes=tuple(_notes(genre, len(eligible), best, worst, definition.top)),
        series=tuple(eligible),
    )


def _notes(genre: str, eligible: int, best: Sequence[Series], worst: Sequence[Series], top: int) -> list[str]:
    return group_notes(genre, eligible, best, worst, top, noun=lambda n: "series", in_both=lambda n: "series")
