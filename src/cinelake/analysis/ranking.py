"""The steps of an answer that need no kind: one row per TMDB id, genre names resolved against
TMDB's list, the selection and its checks, the best and the worst by a value, and the notes on a thin
genre. :mod:`cinelake.analysis.compute` passes a kind's fields and words in here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

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
    first: dict[int, RowT] = {}
    for row in rows:
        first.setdefault(row.tmdb_id, row)
    return list(first.values())


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


MATCH_CHOICES: tuple[str, ...] = ("any", "all")
# How the command line names the parameters of a selection (a view's URL query names them otherwise).
CLI_FLAGS: Mapping[str, str] = {
    "top": "--top",
    "min_votes": "--min-votes",
    "rank_by": "--rank-by",
    "match": "--match",
    "year_from": "--year-from",
    "year_to": "--year-to",
}
MAX_TOP = 20
# Release and first-air years a range may name: wide enough for any title TMDB lists.
YEAR_BOUNDS = (1870, 2100)


@dataclass(frozen=True)
class Selection:
    """Which titles an answer looks at, beyond its thresholds: the genres, how they combine, and a
    range of years (release year for films, first-air year for series).

    ``match=None`` answers each genre on its own (one group per genre, ``--genres A,B``); ``"any"``
    or ``"all"`` answers one group of the titles having any / all of the genres (``--genre A --genre B
    --match all``). A year bound of None is open; with either bound set, a title of unknown year is
    left out."""

    genres: tuple[str, ...]
    match: str | None = None
    year_from: int | None = None
    year_to: int | None = None

    def groups(self) -> dict[str, tuple[str, ...]]:
        """Each group's label (the answer's key) and its genres, in the order asked."""
        if self.match is None:
            return {name: (name,) for name in self.genres}
        joiner = " and " if self.match == "all" else " or "
        return {joiner.join(self.genres): self.genres}

    def words(self, genre_noun: str, year_noun: str) -> str:
        """How the definition says the selection: ``genre_noun`` is e.g. "TMDB genres", ``year_noun``
        "release year"."""
        if self.match == "all":
            text = f"whose {genre_noun} include all of the group's genres (by name)"
        elif self.match == "any":
            text = f"whose {genre_noun} include any of the group's genres (by name)"
        else:
            text = f"whose {genre_noun} include the genre (by name)"
        if self.year_from is not None and self.year_to is not None:
            text += f", with a {year_noun} from {self.year_from} to {self.year_to}"
        elif self.year_from is not None:
            text += f", with a {year_noun} of {self.year_from} or later"
        elif self.year_to is not None:
            text += f", with a {year_noun} of {self.year_to} or earlier"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"match": self.match, "year_from": self.year_from, "year_to": self.year_to}


def check_selection(
    genres: Sequence[str],
    top: int,
    min_votes: int,
    rank_by: str,
    rank_choices: Sequence[str],
    *,
    match: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    flags: Mapping[str, str] = CLI_FLAGS,
) -> Selection:
    """Validate the parameters every answer shares (a one-line :class:`UsageError` for each mistake)
    and return the selection; genre names are resolved against the data later. ``flags`` names the
    parameters in the messages (the command line's flags unless told)."""
    top_, votes_, rank_, match_ = flags["top"], flags["min_votes"], flags["rank_by"], flags["match"]
    from_, to_ = flags["year_from"], flags["year_to"]
    names = tuple(g.strip() for g in genres if g.strip())
    if not names:
        raise UsageError("give at least one genre, e.g. --genres Comedy,Animation")
    folded = [n.casefold() for n in names]
    if len(set(folded)) != len(folded):
        raise UsageError(f"a genre is listed twice in {', '.join(names)}")
    if top < 1:
        raise UsageError(f"{top_} must be at least 1, not {top}")
    if top > MAX_TOP:
        raise UsageError(f"{top_} must be at most {MAX_TOP}, not {top}")
    if min_votes < 0:
        raise UsageError(f"{votes_} cannot be negative ({min_votes})")
    if rank_by not in rank_choices:
        raise UsageError(f"unknown {rank_} {rank_by!r}: choose one of {', '.join(rank_choices)}")
    if match is not None and match not in MATCH_CHOICES:
        raise UsageError(f"unknown {match_} {match!r}: choose one of {', '.join(MATCH_CHOICES)}")
    low, high = YEAR_BOUNDS
    for flag, year in ((from_, year_from), (to_, year_to)):
        if year is not None and not low <= year <= high:
            raise UsageError(f"{flag} must be a year from {low} to {high}, not {year}")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise UsageError(f"{from_} {year_from} is after {to_} {year_to}")
    return Selection(genres=names, match=match, year_from=year_from, year_to=year_to)
