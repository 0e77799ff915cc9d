"""One title of the lake (a film or a series): its facts, genres, companies or networks, and its values
on each collection day, read from the Refined tables.

A kind declares its tables and portable SQL in a :class:`TitleQueries`; :func:`title_details` reads them
through the DuckDB views of the Iceberg tables (:func:`cinelake.analysis.loader.refined_views`), the
TMDB id bound as a parameter. Films have a history table (``fact_movie_history``, one row a title a
day); series keep their latest collection day only (``fact_series``), so their history has one point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cinelake.analysis.loader import NoAnalysisData, missing_refined, query, refined_views
from cinelake.errors import UsageError
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake


class TitleNotFound(NoAnalysisData):
    """The lake holds no title of the kind with that TMDB id."""


@dataclass(frozen=True)
class TitleQueries:
    """What one kind's title page reads: ``facts_sql`` returns one row of (label, value) columns named in
    ``fact_names``; the others return names, and ``history_sql`` (day, popularity, vote_count,
    vote_average) rows; each takes the TMDB id as its one parameter."""

    kind: Kind
    required: tuple[str, ...]  # the tables without which there is no title page
    optional: tuple[str, ...]  # tables read when the lake has them
    facts_sql: str
    fact_names: tuple[str, ...]
    genres_sql: str
    parties_sql: str
    parties_what: str  # "production companies" / "networks"
    history_sql: str
    history_what: str  # where the history comes from, in words


MOVIE_TITLE = TitleQueries(
    kind=Kind.MOVIES,
    required=("dim_movie", "fact_movie"),
    optional=("bridge_movie_genre", "dim_genre", "bridge_movie_company", "dim_company", "fact_movie_history"),
    facts_sql="""
        SELECT coalesce(nullif(d.title, ''), d.original_title), d.original_title, d.imdb_id, d.release_date,
               d.original_language, d.status, d.director, d.collection_name, f.runtime, f.budget, f.revenue,
               f.roi, f.vote_average, f.vote_count, f.popularity, f.snapshot_date
        FROM dim_movie d
        LEFT JOIN (
            SELECT *, row_number() OVER (
                PARTITION BY movie_key ORDER BY snapshot_date DESC NULLS LAST) AS newest
            FROM fact_movie
        ) f ON f.movie_key = d.movie_key AND f.newest = 1
        WHERE d.tmdb_id = ?
    """,
    fact_names=(
        "title",
        "original title",
        "IMDB id",
        "release date",
        "original language",
        "status",
        "director",
        "collection",
        "runtime (min)",
        "budget (US$)",
        "revenue (US$)",
        "ROI",
        "vote average",
        "votes",
        "popularity",
        "collection day",
    ),
    genres_sql="""
        SELECT DISTINCT g.name FROM dim_movie d
        JOIN bridge_movie_genre b ON b.movie_key = d.movie_key JOIN dim_genre g ON g.genre_key = b.genre_key
        WHERE d.tmdb_id = ? AND g.name IS NOT NULL ORDER BY g.name
    """,
    parties_sql="""
        SELECT DISTINCT c.name FROM dim_movie d
        JOIN bridge_movie_company b ON b.movie_key = d.movie_key
        JOIN dim_company c ON c.company_key = b.company_key
        WHERE d.tmdb_id = ? AND c.name IS NOT NULL ORDER BY c.name
    """,
    parties_what="production companies",
    history_sql="""
        SELECT h.snapshot_date, h.popularity, h.vote_count, h.vote_average
        FROM fact_movie_history h JOIN dim_movie d ON d.movie_key = h.movie_key
        WHERE d.tmdb_id = ? ORDER BY h.snapshot_date
    """,
    history_what="fact_movie_history: one row per collection day",
)

SERIES_TITLE = TitleQueries(
    kind=Kind.SERIES,
    required=("dim_series", "fact_series"),
    optional=("bridge_series_genre", "dim_genre", "bridge_series_network", "dim_network"),
    facts_sql="""
        SELECT coalesce(nullif(d.name, ''), d.original_name), d.original_name, d.imdb_id, d.first_air_date,
               d.last_air_date, d.original_language, d.status, d.type, d.seasons, d.episodes,
               f.vote_average, f.vote_count, f.popularity, f.snapshot_date
        FROM dim_series d
        LEFT JOIN (
            SELECT *, row_number() OVER (
                PARTITION BY series_key ORDER BY snapshot_date DESC NULLS LAST) AS newest
            FROM fact_series
        ) f ON f.series_key = d.series_key AND f.newest = 1
        WHERE d.tmdb_id = ?
    """,
    fact_names=(
        "name",
        "original name",
        "IMDB id",
        "first air date",
        "last air date",
        "original language",
        "status",
        "type",
        "seasons",
        "episodes",
        "vote average",
        "votes",
        "popularity",
        "collection day",
    ),
    genres_sql="""
        SELECT DISTINCT g.name FROM dim_series d
        JOIN bridge_series_genre b ON b.series_key = d.series_key
        JOIN dim_genre g ON g.genre_key = b.genre_key
        WHERE d.tmdb_id = ? AND g.name IS NOT NULL ORDER BY g.name
    """,
    parties_sql="""
        SELECT DISTINCT n.name FROM dim_series d
        JOIN bridge_series_network b ON b.series_key = d.series_key
        JOIN dim_network n ON n.network_key = b.network_key
        WHERE d.tmdb_id = ? AND n.name IS NOT NULL ORDER BY n.name
    """,
    parties_what="networks",
    history_sql="""
        SELECT f.snapshot_date, f.popularity, f.vote_count, f.vote_average
        FROM fact_series f JOIN dim_series d ON d.series_key = f.series_key
        WHERE d.tmdb_id = ? ORDER BY f.snapshot_date
    """,
    history_what="fact_series: series keep their latest collection day only, so one point",
)

TITLE_QUERIES: dict[Kind, TitleQueries] = {Kind.MOVIES: MOVIE_TITLE, Kind.SERIES: SERIES_TITLE}


@dataclass(frozen=True)
class HistoryPoint:
    day: str  # ISO collection day
    popularity: float | None
    vote_count: int | None
    vote_average: float | None


@dataclass(frozen=True)
class TitleDetails:
    kind: Kind
    tmdb_id: int
    facts: dict[str, Any]
    genres: tuple[str, ...]
    parties: tuple[str, ...]
    parties_what: str
    history: tuple[HistoryPoint, ...] = field(default=())
    history_what: str = ""

    @property
    def name(self) -> str:
        first = next(iter(self.facts.values()), None)
        return str(first) if first else f"TMDB {self.tmdb_id}"


def title_details(lake: Lake, kind: Kind, tmdb_id: int) -> TitleDetails:
    """The title ``tmdb_id`` of ``kind``: a :class:`UsageError` when the lake has no such title, a
    :class:`NoAnalysisData` when it has no Refined tables for the kind yet."""
    if not isinstance(tmdb_id, int) or isinstance(tmdb_id, bool) or tmdb_id < 1:
        raise UsageError(f"a TMDB id is a positive whole number, not {tmdb_id!r}")
    queries = TITLE_QUERIES[kind]
    tables = (*queries.required, *queries.optional)
    absent = set(missing_refined(lake, tables))
    missing = [t for t in queries.required if t in absent]
    if missing:
        raise NoAnalysisData(
            f"title pages read the Refined tables, and the lake {lake.url} has no {', '.join(missing)} yet: "
            "run cinelake transform trusted-to-refined"
        )
    present = {t for t in tables if t not in absent}
    texts = (queries.facts_sql, queries.genres_sql, queries.parties_sql, queries.history_sql)
    with refined_views(lake, for_sql=texts) as con:
        found = query(con, queries.facts_sql, f"the Refined {kind.value.lower()}", [tmdb_id])
        if not found:
            raise TitleNotFound(f"the lake has no {kind.value.lower()} with TMDB id {tmdb_id}")
        genres = _names(con, queries.genres_sql, tmdb_id, present)
        parties = _names(con, queries.parties_sql, tmdb_id, present)
        history = _rows(con, queries.history_sql, tmdb_id, present)
    facts = {name: _plain(value) for name, value in zip(queries.fact_names, found[0], strict=True)}
    points = tuple(
        HistoryPoint(
            day=str(day)[:10],
            popularity=None if pop is None else float(pop),
            vote_count=None if votes is None else int(votes),
            vote_average=None if vote is None else float(vote),
        )
        for day, pop, votes, vote in history
        if day is not None
    )
    what = queries.history_what
    return TitleDetails(kind, tmdb_id, facts, genres, parties, queries.parties_what, points, what)


def _rows(con: Any, sql: str, tmdb_id: int, present: set[str]) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` for the title, none when a table it reads is not in the lake."""
    named = re.findall(r"\b(?:dim|fact|bridge)_[a-z_]+\b", sql)
    if not all(table in present for table in named):
        return []
    return query(con, sql, "the title's " + " and ".join(sorted(set(named))), [tmdb_id])


def _names(con: Any, sql: str, tmdb_id: int, present: set[str]) -> tuple[str, ...]:
    return tuple(str(name) for (name,) in _rows(con, sql, tmdb_id, present))


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
