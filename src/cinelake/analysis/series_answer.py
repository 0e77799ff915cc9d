"""``best_and_worst_series``: the lake's answer to "which Comedy and Animation series are rated best
and worst, and does popularity follow the votes, the seasons or the episodes?"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cinelake.analysis.loader import ENGINES, SourceZone, check_engine, load_with
from cinelake.analysis.model import DEFAULT_GENRES
from cinelake.analysis.series_compute import analyze_series, make_series_definition
from cinelake.analysis.series_model import SERIES_MIN_VOTES, SeriesAnalysis
from cinelake.analysis.series_sources import SERIES
from cinelake.attribution import TMDB_NOTICE
from cinelake.lake.store import Lake

__all__ = ["ENGINES", "best_and_worst_series"]


def best_and_worst_series(
    lake: Lake,
    *,
    genres: Sequence[str] = DEFAULT_GENRES,
    top: int = 5,
    min_votes: int = SERIES_MIN_VOTES,
    rank_by: str = "vote_average",
    match: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    engine: str = "duckdb",
    zone: SourceZone = "auto",
    database: str | None = None,
    as_of: str | None = None,
) -> SeriesAnalysis:
    """Read the series (Refined, or Raw where Refined holds none yet) and apply the series definition.

    ``engine="athena"`` queries the Refined tables of the Glue database ``database`` in Athena;
    ``as_of`` reads the Refined tables as the lake stood at that collection day or snapshot id.
    """
    check_engine(engine)
    asked: dict[str, Any] = {"genres": genres, "top": top, "min_votes": min_votes, "rank_by": rank_by}
    asked |= {"match": match, "year_from": year_from, "year_to": year_to}
    make_series_definition(**asked)  # bad parameters fail before anything is read
    loaded = load_with(lake, SERIES, engine=engine, zone=zone, database=database, as_of=as_of)
    return analyze_series(
        loaded.rows,
        **asked,
        known_genres=loaded.known_genres,
        source=loaded.source,
        notice=TMDB_NOTICE,
    )
