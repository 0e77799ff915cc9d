"""The definition as a pure function over the rows of any kind: no files, no engines.

Loaders (:mod:`cinelake.analysis.loader`) read the rows from whichever zone of the lake exists; this
module alone decides which titles are eligible, which are the best and the worst, and what the figures
are, for every kind the way its declaration (:mod:`cinelake.analysis.kinds`) says, so the definition
lives in exactly one place and is tested without a lake.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any, TypedDict, Unpack

from cinelake.analysis.kinds import FILMS, TitleKind
from cinelake.analysis.model import DEFAULT_GENRES, Analysis, Definition, GenreResult, Record, Source, Summary
from cinelake.analysis.ranking import (
    best_and_worst,
    check_selection,
    group_notes,
    resolve_names,
    unique_by_id,
)
from cinelake.analysis.stats import median, spearman
from cinelake.errors import UsageError


class Asked(TypedDict, total=False):
    """The parameters of an answer, each with its default when left out: ``genres`` (default
    :data:`DEFAULT_GENRES`), ``top`` (5), ``min_votes`` (None: the kind's default), ``rank_by``
    (vote_average), ``match`` (None: each genre alone) and the years (None: open)."""

    genres: Sequence[str]
    top: int
    min_votes: int | None
    rank_by: str
    match: str | None
    year_from: int | None
    year_to: int | None


def make_definition(
    kind: TitleKind,
    genres: Sequence[str] = DEFAULT_GENRES,
    top: int = 5,
    min_votes: int | None = None,
    rank_by: str = "vote_average",
    *,
    match: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> Definition:
    """Check the parameters (a one-line :class:`UsageError` for each mistake) and build the kind's
    definition of them; ``min_votes`` None is the kind's default."""
    votes = kind.default_min_votes if min_votes is None else min_votes
    selection = check_selection(
        genres, top, votes, rank_by, kind.rank_keys, match=match, year_from=year_from, year_to=year_to
    )
    return Definition(
        kind=kind,
        genres=selection.genres,
        top=top,
        min_votes=votes,
        rank_by=rank_by,
        match=match,
        year_from=year_from,
        year_to=year_to,
    )


def analyze(
    kind: TitleKind,
    rows: Iterable[Record],
    *,
    known_genres: Iterable[str] | None = None,
    source: Source | None = None,
    notice: str = "",
    **asked: Unpack[Asked],
) -> Analysis:
    """Apply the kind's definition of the ``asked`` parameters (:class:`Asked`) to ``rows`` and return
    the answer for each genre (in the order asked).

    ``known_genres`` are the genre names the data holds (default: those of ``rows``); a requested genre
    that is neither there nor in TMDB's list of the kind is a :class:`UsageError`. ``match`` and the
    years select as :class:`cinelake.analysis.ranking.Selection` says.
    """
    unique = unique_by_id(rows)
    definition = make_definition(kind, **asked)
    check_rank_values(kind, definition.rank_by, unique)
    known = set(known_genres) if known_genres is not None else {g for r in unique for g in r.genres}
    resolved = resolve_names(definition.genres, known, kind.tmdb_genres, what=kind.genre_what)
    definition = replace(definition, genres=resolved)
    groups = definition.selection.groups()
    results = {label: _genre_result(label, group, unique, definition) for label, group in groups.items()}
    return Analysis(definition=definition, genres=results, source=source, notice=notice)


def check_rank_values(kind: TitleKind, rank_by: str, rows: Sequence[Record]) -> None:
    """A one-line :class:`UsageError` when ``rank_by`` is a value the data may lack altogether (one
    with its own vote count, such as IMDB's rating from the CSV) and no row of ``rows`` has it."""
    if rank_by in kind.own_votes and all(getattr(row, rank_by) is None for row in rows):
        others = ", ".join(k for k in kind.rank_keys if k not in kind.own_votes)
        raise UsageError(
            f"--rank-by {rank_by}: the lake holds no {rank_by} for any of its {kind.plural} (the local "
            f"CSV's rating of a title TMDB knows reaches the facts); rank by {others}"
        )


def analyze_films(rows: Iterable[Record], **params: Any) -> Analysis:
    """:func:`analyze` of the films."""
    return analyze(FILMS, rows, **params)


def eligible_titles(rows: Sequence[Record], group: tuple[str, ...], definition: Definition) -> list[Record]:
    """The eligible titles of ``group`` among ``rows``, by TMDB id: selected, with enough votes (the
    ranking's own count), admitted by the kind, and with a known value to rank on."""
    kind, rank_by, min_votes = definition.kind, definition.rank_by, definition.min_votes
    votes, year = definition.votes_field, kind.year_field
    admits = definition.selection.admits
    found = []
    for row in rows:
        # The cheapest test first: on a large lake most rows fall to the vote count.
        count = getattr(row, votes)
        if count is None or count < min_votes:
            continue
        if not admits(group, row.genres, getattr(row, year)) or not kind.admits(row):
            continue
        title = kind.item(row, rank_by)
        if getattr(title, rank_by) is not None:
            found.append(title)
    return sorted(found, key=lambda t: t.tmdb_id)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def summarize(kind: TitleKind, group: Sequence[Record]) -> Summary:
    """The kind's figures of one group, in its order."""
    values: dict[str, Any] = {}
    for figure in kind.summary:
        if figure.reduce == "count":
            values[figure.key] = len(group)
        elif figure.reduce == "total":
            values[figure.key] = sum(getattr(t, figure.field) for t in group)
        else:
            values[figure.key] = median([_float(getattr(t, figure.field)) for t in group])
    return Summary(values)


def correlations(kind: TitleKind, titles: Sequence[Record]) -> dict[str, float | None]:
    """The kind's Spearman correlations over ``titles``, in its order."""
    columns: dict[str, list[float | None]] = {}  # each field read once, whichever pairs share it
    for _, *fields in kind.correlations:
        for name in fields:
            if name not in columns:
                columns[name] = [_float(getattr(t, name)) for t in titles]
    return {key: spearman(columns[x], columns[y]) for key, x, y in kind.correlations}


def _genre_result(
    genre: str, group: tuple[str, ...], rows: Sequence[Record], definition: Definition
) -> GenreResult:
    kind = definition.kind
    eligible = eligible_titles(rows, group, definition)
    rank_by, votes = definition.rank_by, definition.votes_field
    best, worst = best_and_worst(
        eligible, lambda t: float(getattr(t, rank_by)), definition.top, votes=lambda t: getattr(t, votes)
    )
    notes = group_notes(
        genre,
        len(eligible),
        best,
        worst,
        definition.top,
        noun=kind.noun,
        in_both=lambda n: kind.in_both[0 if n == 1 else 1],
    )
    return GenreResult(
        genre=genre,
        eligible=len(eligible),
        best=tuple(best),
        worst=tuple(worst),
        best_summary=summarize(kind, best),
        worst_summary=summarize(kind, worst),
        correlations=correlations(kind, eligible),
        notes=tuple(notes),
        titles=tuple(eligible),
        differences=kind.differences,
    )
