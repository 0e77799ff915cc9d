"""A dashboard view's parameters: parsed from the URL query, checked with the analysis' own checks, and
written back as a query, so a view is a link one can share.

``?kind=movies&genre=Comedy&genre=Animation&match=all&min_votes=100&n=5&year_from=1990&year_to=2009``
``&rank_by=vote_average``
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from cinelake.analysis.kinds import FILMS_MIN_VOTES
from cinelake.analysis.kinds import KINDS as KIND_DECLARATIONS
from cinelake.analysis.ranking import MATCH_CHOICES, check_selection
from cinelake.errors import UsageError

KINDS: tuple[str, ...] = tuple(KIND_DECLARATIONS)
KIND_WORDS = {name: kind.plural for name, kind in KIND_DECLARATIONS.items()}
MIN_VOTES = {name: kind.default_min_votes for name, kind in KIND_DECLARATIONS.items()}
RANK_KEYS: dict[str, tuple[str, ...]] = {name: kind.rank_keys for name, kind in KIND_DECLARATIONS.items()}
RANK_LABELS = {
    "vote_average": "vote average",
    "vote_count": "vote count",
    "popularity": "popularity",
    "roi": "ROI",
    "profit": "profit",
    "revenue": "revenue",
    "imdb_rating": "IMDB rating (CSV)",
}
DEFAULT_GENRES: tuple[str, ...] = ("Comedy",)
# The query's names for the selection's parameters, in the messages of a bad one.
QUERY_NAMES = {
    "top": "n",
    "min_votes": "min_votes",
    "rank_by": "rank_by",
    "match": "match",
    "year_from": "year_from",
    "year_to": "year_to",
}
PARAMETERS = ("kind", "genre", "match", "min_votes", "n", "year_from", "year_to", "rank_by")


@dataclass(frozen=True)
class ViewParams:
    """One view of the dashboard; ``min_votes`` is the kind's default unless given."""

    kind: str = "movies"
    genres: tuple[str, ...] = DEFAULT_GENRES
    match: str = "any"
    min_votes: int = FILMS_MIN_VOTES
    n: int = 5
    year_from: int | None = None
    year_to: int | None = None
    rank_by: str = "vote_average"

    def query(self) -> str:
        """The URL query of this view, every parameter spelled out."""
        pairs: list[tuple[str, str | int]] = [("kind", self.kind)]
        pairs += [("genre", g) for g in self.genres]
        pairs += [("match", self.match), ("min_votes", self.min_votes), ("n", self.n)]
        if self.year_from is not None:
            pairs.append(("year_from", self.year_from))
        if self.year_to is not None:
            pairs.append(("year_to", self.year_to))
        pairs.append(("rank_by", self.rank_by))
        return urlencode(pairs)


def parse_view(query: Mapping[str, Sequence[str]]) -> ViewParams:
    """The view a URL query asks for: a one-line :class:`UsageError` for an unknown parameter, a value
    that is not a number, or anything the analysis refuses (genres are checked against the lake later)."""
    unknown = sorted(set(query) - set(PARAMETERS))
    if unknown:
        raise UsageError(f"unknown parameter {unknown[0]!r}: the parameters are {', '.join(PARAMETERS)}")
    for name in PARAMETERS:
        if name != "genre" and len(query.get(name, ())) > 1:
            raise UsageError(f"{name} is given {len(query[name])} times: give it once")
    kind = _text(query, "kind") or "movies"
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}: choose movies or series")
    genres = tuple(g.strip() for g in query.get("genre", ()) if g.strip()) or DEFAULT_GENRES
    match = _text(query, "match") or "any"
    min_votes = _number(query, "min_votes")
    n = _number(query, "n")
    rank_by = _text(query, "rank_by") or "vote_average"
    view = ViewParams(
        kind=kind,
        genres=genres,
        match=match,
        min_votes=MIN_VOTES[kind] if min_votes is None else min_votes,
        n=5 if n is None else n,
        year_from=_number(query, "year_from"),
        year_to=_number(query, "year_to"),
        rank_by=rank_by,
    )
    check_selection(
        view.genres,
        view.n,
        view.min_votes,
        view.rank_by,
        RANK_KEYS[kind],
        match=view.match,
        year_from=view.year_from,
        year_to=view.year_to,
        flags=QUERY_NAMES,
    )
    if match not in MATCH_CHOICES:  # check_selection allows None (each genre alone); a view has one group
        raise UsageError(f"unknown match {match!r}: choose any or all")
    return view


def _text(query: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = query.get(name, ())
    return values[0].strip() if values and values[0].strip() else None


def _number(query: Mapping[str, Sequence[str]], name: str) -> int | None:
    text = _text(query, name)
    if text is None:
        return None
    if not text.lstrip("-").isdigit() or len(text) > 9:
        raise UsageError(f"{name} must be a whole number, not {text[:40]!r}")
    return int(text)
