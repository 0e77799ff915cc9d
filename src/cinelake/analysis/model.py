"""What the budget-vs-revenue analysis reads and answers: plain dataclasses that serialise to JSON.

``FilmRow`` is one film as a loader reads it from the lake; ``Analysis`` is the whole answer, whose
``to_dict()`` is the exact object ``cinelake analyze --format json`` prints.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, Generic, Literal, Protocol, TypeVar

from cinelake.analysis.ranking import SelectionFields

RankBy = Literal["vote_average", "vote_count", "popularity", "roi", "profit", "revenue"]
RANK_BY_CHOICES: tuple[str, ...] = ("vote_average", "vote_count", "popularity", "roi", "profit", "revenue")
CORRELATION_KEYS: tuple[str, ...] = (
    "budget_revenue",
    "popularity_budget",
    "popularity_revenue",
    "popularity_roi",
    "popularity_vote_average",
)
# Below these, TMDB's budget and revenue mean "unknown" (0 above all), not a real amount.
MIN_BUDGET = 1_000
MIN_REVENUE = 1_000
DEFAULT_GENRES: tuple[str, ...] = ("Comedy", "Animation")


class FlatRecord:
    """A dataclass whose JSON object is its fields, in their declared order (films, series, summaries)."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]


ItemT = TypeVar("ItemT", bound=FlatRecord)
SummaryT = TypeVar("SummaryT", bound=FlatRecord)


@dataclass(frozen=True)
class GenreAnswer(Generic[ItemT, SummaryT]):
    """One genre's answer (films or series): ``to_dict()`` is its JSON object; ``summary_dict()`` is
    the part a kind may extend."""

    genre: str
    eligible: int
    best: tuple[ItemT, ...]
    worst: tuple[ItemT, ...]
    best_summary: SummaryT
    worst_summary: SummaryT
    correlations: dict[str, float | None]
    notes: tuple[str, ...] = ()

    def summary_dict(self) -> dict[str, Any]:
        return {"best": self.best_summary.to_dict(), "worst": self.worst_summary.to_dict()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "best": [item.to_dict() for item in self.best],
            "worst": [item.to_dict() for item in self.worst],
            "summary": self.summary_dict(),
            "correlations": dict(self.correlations),
            "notes": list(self.notes),
        }


class Stated(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


DefinitionT = TypeVar("DefinitionT", bound=Stated)
GenreT = TypeVar("GenreT", bound=GenreAnswer[Any, Any])


@dataclass(frozen=True)
class Answer(Generic[DefinitionT, GenreT]):
    """A whole answer (films or series): its definition, one result a genre, where the rows came from
    and the TMDB notice; ``to_dict()`` is the JSON object, ``to_json()`` prints it."""

    definition: DefinitionT
    genres: dict[str, GenreT]
    source: Source | None = None
    notice: str = ""

    def source_dict(self) -> dict[str, Any] | None:
        return self.source.to_dict() if self.source else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "definition": self.definition.to_dict(),
            "genres": {name: result.to_dict() for name, result in self.genres.items()},
            "source": self.source_dict(),
            "notice": self.notice,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


@dataclass(frozen=True)
class FilmRow:
    """One film as read from the lake (any zone): the fields the definition needs, nothing derived."""

    tmdb_id: int
    imdb_id: str | None
    title: str | None
    release_year: int | None
    genres: tuple[str, ...]
    budget: int | None
    revenue: int | None
    popularity: float | None
    vote_average: float | None
    vote_count: int | None


@dataclass(frozen=True)
class Film(FlatRecord):
    """An eligible film and its derived figures: ``profit = revenue - budget``, ``roi = revenue / budget``."""

    tmdb_id: int
    imdb_id: str | None
    title: str | None
    release_year: int | None
    vote_average: float | None
    vote_count: int
    budget: int
    revenue: int
    profit: int
    roi: float
    popularity: float | None


@dataclass(frozen=True)
class GroupSummary(FlatRecord):
    """The figures of one group (the best or the worst films of a genre)."""

    count: int
    median_roi: float | None
    total_budget: int
    total_revenue: int
    median_popularity: float | None
    median_vote_average: float | None


@dataclass(frozen=True)
class GenreResult(GenreAnswer[Film, GroupSummary]):
    # Every eligible film of the genre (for the report's scatter plots; not part of the JSON answer).
    films: tuple[Film, ...] = field(default=(), repr=False)

    @property
    def median_popularity_difference(self) -> float | None:
        best, worst = self.best_summary.median_popularity, self.worst_summary.median_popularity
        if best is None or worst is None:
            return None
        return best - worst

    def summary_dict(self) -> dict[str, Any]:
        return {**super().summary_dict(), "median_popularity_difference": self.median_popularity_difference}


@dataclass(frozen=True)
class Definition(SelectionFields):
    """The parameters of a run and the definition they instantiate, in words."""

    genres: tuple[str, ...]
    top: int
    min_votes: int
    rank_by: str
    min_budget: int = MIN_BUDGET
    min_revenue: int = MIN_REVENUE
    match: str | None = None
    year_from: int | None = None
    year_to: int | None = None

    def statements(self) -> dict[str, str]:
        return {
            "eligible": (
                f"a film {self.selection.words('TMDB genres', 'release year')}, "
                f"with budget >= {self.min_budget:,} "
                f"and revenue >= {self.min_revenue:,} (smaller values, 0 above all, are TMDB's 'unknown'), "
                f"vote_count >= {self.min_votes:,} and a known {self.rank_by}"
            ),
            "best": (
                f"sorted by {self.rank_by} descending, then vote_count descending, then TMDB id ascending; "
                f"the first {self.top}"
            ),
            "worst": (
                f"sorted by {self.rank_by} ascending, then vote_count descending, then TMDB id ascending; "
                f"the first {self.top}"
            ),
            "profit": "revenue - budget",
            "roi": "revenue / budget",
            "correlations": (
                "Spearman rank correlation (average ranks for ties) over all eligible films of the genre "
                "with both values known; null with fewer than 3 films or a constant column"
            ),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "genres": list(self.genres),
            "top": self.top,
            "min_votes": self.min_votes,
            "rank_by": self.rank_by,
            "min_budget": self.min_budget,
            "min_revenue": self.min_revenue,
            **self.selection.to_dict(),
            **self.statements(),
        }


@dataclass(frozen=True)
class Source(FlatRecord):
    """Which part of the lake the films came from."""

    zone: Literal["Refined", "Raw"]
    description: str
    location: str
    films: int
    snapshot: str | None = None  # the newest snapshot / ingestion date seen, ISO


@dataclass(frozen=True)
class Analysis(Answer[Definition, GenreResult]):
    """The whole answer of :func:`cinelake.analysis.budget_vs_revenue`."""
