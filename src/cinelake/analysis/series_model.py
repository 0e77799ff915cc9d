"""What the series answer reads and answers: plain dataclasses that serialise to JSON.

``SeriesRow`` is one series as a loader reads it from the lake; ``SeriesAnalysis`` is the whole answer,
whose ``to_dict()`` is the ``series`` object of ``cinelake analyze --format json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cinelake.analysis.model import Answer, FlatRecord, GenreAnswer
from cinelake.analysis.ranking import SelectionFields

SERIES_CORRELATION_KEYS: tuple[str, ...] = (
    "popularity_vote_average",
    "popularity_seasons",
    "popularity_episodes",
)
# The Comedy and Animation series of the packaged 2019 sample have vote_count quartiles 57 / 195 / 642
# (films of the same genres: thousands). Below 50 sit 9 series with 0 to 34 votes, whose averages move
# a point with a vote (2.4 from 7 votes, 8.8 from 18); 50 keeps 27 Comedy and 24 Animation series,
# enough for a best five and a worst five that do not overlap. See docs/analysis.md.
SERIES_MIN_VOTES = 50
# What series may rank on: the fields of :class:`Series` a TV record carries (no money).
SERIES_RANK_BY_CHOICES: tuple[str, ...] = ("vote_average", "popularity")
NO_MONEY = (
    "TMDB's TV endpoints have no budget or revenue: the series answer has no money figures, and "
    "popularity is compared with vote_average, seasons and episodes instead"
)


@dataclass(frozen=True)
class SeriesRow:
    """One series as read from the lake (any zone): the fields the definition needs."""

    tmdb_id: int
    imdb_id: str | None
    name: str | None
    first_air_year: int | None
    genres: tuple[str, ...]
    popularity: float | None
    vote_average: float | None
    vote_count: int | None
    seasons: int | None
    episodes: int | None


@dataclass(frozen=True)
class Series(FlatRecord):
    """An eligible series."""

    tmdb_id: int
    imdb_id: str | None
    name: str | None
    first_air_year: int | None
    vote_average: float
    vote_count: int
    popularity: float | None
    seasons: int | None
    episodes: int | None


@dataclass(frozen=True)
class SeriesSummary(FlatRecord):
    """The medians of one group (the best or the worst series of a genre)."""

    count: int
    median_popularity: float | None
    median_vote_average: float | None
    median_seasons: float | None
    median_episodes: float | None


@dataclass(frozen=True)
class SeriesGenreResult(GenreAnswer[Series, SeriesSummary]):
    # Every eligible series of the genre (for the report's chart; not part of the JSON answer).
    series: tuple[Series, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class SeriesDefinition(SelectionFields):
    genres: tuple[str, ...]
    top: int
    min_votes: int
    rank_by: str = "vote_average"
    match: str | None = None
    year_from: int | None = None
    year_to: int | None = None

    def statements(self) -> dict[str, str]:
        known = "a known vote_average" if self.rank_by == "vote_average" else f"a known {self.rank_by}"
        return {
            "eligible": (
                f"a series {self.selection.words('TMDB TV genres', 'first-air year')}, with "
                f"vote_count >= {self.min_votes:,} and {known}"
            ),
            "best": (
                f"sorted by {self.rank_by} descending, then vote_count descending, then TMDB id ascending; "
                f"the first {self.top}"
            ),
            "worst": (
                f"sorted by {self.rank_by} ascending, then vote_count descending, then TMDB id ascending; "
                f"the first {self.top}"
            ),
            "money": NO_MONEY,
            "correlations": (
                "Spearman rank correlation (average ranks for ties) of popularity with vote_average, "
                "seasons and episodes over all eligible series of the genre with both values known; "
                "null with fewer than 3 series or a constant column"
            ),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "genres": list(self.genres),
            "top": self.top,
            "min_votes": self.min_votes,
            "rank_by": self.rank_by,
            **self.selection.to_dict(),
            **self.statements(),
        }


@dataclass(frozen=True)
class SeriesAnalysis(Answer[SeriesDefinition, SeriesGenreResult]):
    """The whole series answer of :func:`cinelake.analysis.series_answer.best_and_worst_series`."""

    def source_dict(self) -> dict[str, Any] | None:
        """The films' source object, counting ``series`` instead of ``films``."""
        if self.source is None:
            return None
        found = self.source.to_dict()
        count = found.pop("films")
        snapshot = found.pop("snapshot")
        return {**found, "series": count, "snapshot": snapshot}
