"""``budget_vs_revenue``: the lake's answer to "how do cost and revenue relate for the best and the
worst films of a genre, and does popularity follow?"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cinelake.analysis.compute import analyze_films, make_definition
from cinelake.analysis.loader import ENGINES, SourceZone, check_engine, load_with
from cinelake.analysis.model import DEFAULT_GENRES, Analysis
from cinelake.analysis.sources import FILMS
from cinelake.attribution import TMDB_NOTICE
from cinelake.lake.store import Lake

__all__ = ["ENGINES", "budget_vs_revenue"]


def budget_vs_revenue(
    lake: Lake,
    *,
    genres: Sequence[str] = DEFAULT_GENRES,
    top: int = 5,
    min_votes: int = 100,
    rank_by: str = "vote_average",
    match: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    engine: str = "duckdb",
    zone: SourceZone = "auto",
    database: str | None = None,
    as_of: str | None = None,
) -> Analysis:
    """Read the films (Refined, or Raw where Refined is not there yet) and apply the definition.

    ``engine="duckdb"`` reads the lake in process through the catalog's views; ``engine="athena"``
    queries the Refined tables of the Glue database ``database`` (default: the settings') in Athena.
    ``as_of`` reads the Refined tables as the lake stood at the end of that collection day
    (``YYYY-MM-DD``) or at that Iceberg snapshot id. ``zone`` forces a source (``refined`` or
    ``raw``) instead of the first that exists (DuckDB only).
    """
    check_engine(engine)
    asked: dict[str, Any] = {"genres": genres, "top": top, "min_votes": min_votes, "rank_by": rank_by}
    asked |= {"match": match, "year_from": year_from, "year_to": year_to}
    make_definition(**asked)  # bad parameters fail before anything is read
    loaded = load_with(lake, FILMS, engine=engine, zone=zone, database=database, as_of=as_of)
    return analyze_films(
        loaded.rows,
        **asked,
        known_genres=loaded.known_genres,
        source=loaded.source,
        notice=TMDB_NOTICE,
    )
