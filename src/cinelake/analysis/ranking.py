"""The steps the films' and the series' answers share, whatever the kind: one row per TMDB id, genre
names resolved against TMDB's list, the best and the worst by a value, and the notes on a thin genre.

Each answer (:mod:`cinelake.analysis.compute`, :mod:`cinelake.analysis.series_compute`) keeps what is
its own (eligibility, figures, summaries, correlations) and passes its fields and words in here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar

from cinelake.errors import UsageError


class Identified(Protocol):
    @property
    def tmdb_id(self) -> int: ...


class Ranked(Identified, Protocol):
    @property
    def vote_count(self) -> int: ...


RowT = TypeVar("RowT", bound=Identified)
RankedT = TypeVar("RankedT", bound=Ranked)


def unique_by_id(rows: Iterable[RowT]) -> list[RowT]:
    """The rows in their order, each TMDB id once (its first row)."""
    seen: set[int] = set()
    unique = []
    for row in rows:
        if row.tmdb_id not in seen:
            seen.add(row.tmdb_id)
            unique.append(row)
    return unique


def resolve_names(
    requested: Sequence[str], known: Iterable[str], tmdb_names: Iterable[str], *, what: str = "genre"
) -> tuple[str, ...]:
    """Each requested name in its spelling in the data or in TMDB's list (case-insensitively); an
    unknown one is a :class:`UsageError` that lists the ``what``\\s that exist."""
    by_fold: dict[str, str] = {}
    for name in (*tmdb_names, *known):
        by_fold.setdefault(name.casefold(), name)
    resolved = []
    for name in requested:
        match = by_fold.get(name.strip().casefold())
        if match is None:
            choices = ", ".join(sorted(by_fold.values()))
            raise UsageError(f"unknown {what} {name.strip()!r}: known {what}s are {choices}")
        resolved.append(match)
    return tuple(resolved)


def best_and_worst(
    items: Sequence[RankedT], value: Callable[[RankedT], float], top: int
) -> tuple[list[RankedT], list[RankedT]]:
    """The first ``top`` by ``value`` descending and ascending; both tie-break on vote_count
    descending, then TMDB id ascending."""
    best = sorted(items, key=lambda i: (-value(i), -i.vote_count, i.tmdb_id))[:top]
    worst = sorted(items, key=lambda i: (value(i), -i.vote_count, i.tmdb_id))[:top]
    return best, worst


def group_notes(
    genre: str,
    eligible: int,
    best: Sequence[Identified],
    worst: Sequence[Identified],
    top: int,
    *,
    noun: Callable[[int], str],
    in_both: Callable[[int], str],
) -> list[str]:
    """What a reader should know about a thin genre: none or fewer than ``top`` eligible, the same
    title in both lists, too few for correlations. ``noun(n)`` is the kind's word for n titles
    ("film"/"films", "series"); ``in_both(n)`` is how n titles "are in both" lists."""
    notes = []
    if eligible == 0:
        notes.append(f"no {genre} {noun(1)} is eligible: best and worst are empty")
    elif eligible < top:
        notes.append(
            f"only {eligible} eligible {genre} {noun(eligible)}, fewer than top={top}: "
            "best and worst each list all of them"
        )
    shared = {i.tmdb_id for i in best} & {i.tmdb_id for i in worst}
    if shared and eligible >= top:
        both = in_both(len(shared))
        notes.append(f"{len(shared)} {both} in both best and worst (fewer than {2 * top} eligible)")
    if eligible < 3:
        notes.append(f"correlations need at least 3 eligible {noun(2)}: they are null")
    return notes
