"""The definition as a function over the rows of any kind: no files, no lake.

Loaders (:mod:`cinelake.analysis.loader`) read the rows from whichever zone of the lake exists; this
module alone decides which titles are eligible, which are the best and the worst, and what the figures
are, for every kind the way its declaration (:mod:`cinelake.analysis.kinds`) says, so the definition
lives in exactly one place and is tested without a lake. The selection, the ranking and the
correlations run in an in-memory DuckDB over the rows' Arrow table (:mod:`cinelake.analysis.table`);
every caller (``cinelake analyze``, the report, the dashboard) goes through :func:`analyze`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any, TypedDict, Unpack

from cinelake.analysis.kinds import FILMS, TitleKind
from cinelake.analysis.model import DEFAULT_GENRES, Analysis, Definition, GenreResult, Record, Source, Summary
from cinelake.analysis.ranking import check_selection, group_notes, resolve_names
from cinelake.analysis.stats import median
from cinelake.analysis.table import TitleTable, group_answer
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
    rows: Iterable[Record] | TitleTable,
    *,
    known_genres: Iterable[str] | None = None,
    source: Source | None = None,
    notice: str = "",
    chart_points: int | None = None,
    **asked: Unpack[Asked],
) -> Analysis:
    """Apply the kind's definition of the ``asked`` parameters (:class:`Asked`) to ``rows`` (records of
    the kind, or their :class:`TitleTable`) and return the answer for each genre (in the order asked).

    ``known_genres`` are the genre names the data holds (default: those of ``rows``); a requested genre
    that is neither there nor in TMDB's list of the kind is a :class:`UsageError`. ``match`` and the
    years select as :class:`cinelake.analysis.ranking.Selection` says. Each genre's ``titles`` (what
    the charts draw) are all its eligible titles, or with ``chart_points`` at most that many: the best,
    the worst and others evenly spaced by TMDB id.
    """
    table = rows if isinstance(rows, TitleTable) else TitleTable.of(kind, rows)
    definition = make_definition(kind, **asked)
    check_rank_values(kind, definition.rank_by, table)
    known = set(known_genres) if known_genres is not None else set(table.genre_names)
    resolved = resolve_names(definition.genres, known, kind.tmdb_genres, what=kind.genre_what)
    definition = replace(definition, genres=resolved)
    groups = definition.selection.groups()
    results = {
        label: _genre_result(label, group, table, definition, chart_points) for label, group in groups.items()
    }
    return Analysis(definition=definition, genres=results, source=source, notice=notice)


def check_rank_values(kind: TitleKind, rank_by: str, table: TitleTable) -> None:
    """A one-line :class:`UsageError` when ``rank_by`` is a value the data may lack altogether (one
    with its own vote count, such as IMDB's rating from the CSV) and no title of ``table`` has it."""
    if rank_by in kind.own_votes and not table.has(rank_by):
        others = ", ".join(k for k in kind.rank_keys if k not in kind.own_votes)
        raise UsageError(
            f"--rank-by {rank_by}: the lake holds no {rank_by} for any of its {kind.plural} (the local "
            f"CSV's rating of a title TMDB knows reaches the facts); rank by {others}"
        )


def analyze_films(rows: Iterable[Record] | TitleTable, **params: Any) -> Analysis:
    """:func:`analyze` of the films."""
    return analyze(FILMS, rows, **params)


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


def _genre_result(
    genre: str,
    group: tuple[str, ...],
    table: TitleTable,
    definition: Definition,
    chart_points: int | None,
) -> GenreResult:
    kind = definition.kind
    found = group_answer(table, definition, group, chart_points)
    notes = group_notes(
        genre,
        found.eligible,
        found.best,
        found.worst,
        definition.top,
        noun=kind.noun,
        in_both=lambda n: kind.in_both[0 if n == 1 else 1],
    )
    return GenreResult(
        genre=genre,
        eligible=found.eligible,
        best=tuple(found.best),
        worst=tuple(found.worst),
        best_summary=summarize(kind, found.best),
        worst_summary=summarize(kind, found.worst),
        correlations=found.correlations,
        notes=tuple(notes),
        titles=tuple(found.titles),
        differences=kind.differences,
    )
