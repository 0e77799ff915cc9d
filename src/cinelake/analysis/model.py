"""What the analysis reads and answers, for every kind of title: plain dataclasses that serialise to JSON.

A kind (:mod:`cinelake.analysis.kinds`) declares its fields; the records of one title are built from
that declaration (:func:`record_type`), so films and series share every class here. ``Analysis`` is the
whole answer, whose ``to_dict()`` is the exact object ``cinelake analyze --format json`` prints.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, make_dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from cinelake.analysis.ranking import Selection

if TYPE_CHECKING:
    from cinelake.analysis.kinds import TitleKind

DEFAULT_GENRES: tuple[str, ...] = ("Comedy", "Animation")


class FlatRecord:
    """A dataclass whose JSON object is its fields, in their declared order."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]

    if TYPE_CHECKING:
        # The fields of a record built from a kind's declaration (``film.budget``, ``show.seasons``).
        def __getattr__(self, name: str) -> Any: ...


class Record(FlatRecord):
    """One title as a kind declares it (a row read from the lake, or an eligible title)."""

    tmdb_id: int


def record_type(name: str, columns: Sequence[tuple[str, Any, bool]]) -> type[Record]:
    """A frozen dataclass named ``name`` with ``columns`` (name, type, defaults to None) in order."""
    specs: list[Any] = [
        (column, kind, field(default=None)) if optional else (column, kind)
        for column, kind, optional in columns
    ]
    return make_dataclass(name, specs, bases=(Record,), frozen=True)


@dataclass(frozen=True)
class Summary(FlatRecord):
    """The figures of one group (the best or the worst titles of a genre), in the kind's order."""

    values: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.values)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "values":
            raise AttributeError(name)
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class GenreResult:
    """One genre's (or genre group's) answer: ``to_dict()`` is its JSON object."""

    genre: str
    eligible: int
    best: tuple[Record, ...]
    worst: tuple[Record, ...]
    best_summary: Summary
    worst_summary: Summary
    correlations: dict[str, float | None]
    notes: tuple[str, ...] = ()
    # Every eligible title of the genre (for the charts; not part of the JSON answer).
    titles: tuple[Record, ...] = field(default=(), repr=False)
    # The summary keys whose best-minus-worst difference the answer states (the kind's).
    differences: tuple[str, ...] = ()

    def difference(self, key: str) -> float | None:
        """The best group's ``key`` minus the worst's, None when either is unknown."""
        best, worst = self.best_summary.values.get(key), self.worst_summary.values.get(key)
        return None if best is None or worst is None else best - worst

    @property
    def median_popularity_difference(self) -> float | None:
        return self.difference("median_popularity")

    def summary_dict(self) -> dict[str, Any]:
        found = {"best": self.best_summary.to_dict(), "worst": self.worst_summary.to_dict()}
        return found | {f"{key}_difference": self.difference(key) for key in self.differences}

    def to_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "best": [item.to_dict() for item in self.best],
            "worst": [item.to_dict() for item in self.worst],
            "summary": self.summary_dict(),
            "correlations": dict(self.correlations),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Definition:
    """The parameters of a run and the definition they instantiate, in words (the kind's)."""

    kind: TitleKind = field(repr=False, compare=False)
    genres: tuple[str, ...]
    top: int
    min_votes: int
    rank_by: str
    match: str | None = None
    year_from: int | None = None
    year_to: int | None = None

    @cached_property
    def selection(self) -> Selection:
        return Selection(self.genres, self.match, self.year_from, self.year_to)

    @property
    def votes_field(self) -> str:
        """The vote count ``min_votes`` applies to: the ranking's own (the kind's ``vote_count`` unless
        the rank key brings its own count)."""
        return self.kind.votes_of(self.rank_by)

    def statements(self) -> dict[str, str]:
        return self.kind.statements(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "genres": list(self.genres),
            "top": self.top,
            "min_votes": self.min_votes,
            "rank_by": self.rank_by,
            **self.kind.thresholds,
            **self.selection.to_dict(),
            **self.statements(),
        }


@dataclass(frozen=True)
class Source(FlatRecord):
    """Which part of the lake the titles came from."""

    zone: Literal["Refined", "Raw"]
    description: str
    location: str
    titles: int
    snapshot: str | None = None  # the newest snapshot / ingestion date seen, ISO


@dataclass(frozen=True)
class Analysis:
    """A whole answer (any kind): its definition, one result a genre, where the rows came from and the
    TMDB notice; ``to_dict()`` is the JSON object, ``to_json()`` prints it."""

    definition: Definition
    genres: dict[str, GenreResult]
    source: Source | None = None
    notice: str = ""

    @property
    def kind(self) -> TitleKind:
        return self.definition.kind

    def source_dict(self) -> dict[str, Any] | None:
        """The source object, counting the titles under the kind's plural ("films", "series")."""
        if self.source is None:
            return None
        found = self.source.to_dict()
        count, snapshot = found.pop("titles"), found.pop("snapshot")
        return {**found, self.kind.plural: count, "snapshot": snapshot}

    def to_dict(self) -> dict[str, Any]:
        return {
            "definition": self.definition.to_dict(),
            "genres": {name: result.to_dict() for name, result in self.genres.items()},
            "source": self.source_dict(),
            "notice": self.notice,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
