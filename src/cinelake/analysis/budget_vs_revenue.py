"""``budget_vs_revenue``: the lake's answer to "how do cost and revenue relate for the best and the
worst films of a genre, and does popularity follow?"."""

from __future__ import annotations

from collections.abc import Sequence

from cinelake.analysis.compute import analyze_films, make_definition
from cinelake.analysis.model import DEFAULT_GENRES, Analysis
from cinelake.analysis.sources import SourceZone, load_films, load_films_athena
from cinelake.attribution import TMDB_NOTICE
from cinelake.errors import UsageError
from cinelake.lake.store import Lake

ENGINES: tuple[str, ...] = ("duckdb", "athena")


def budget_vs_revenue(
    lake: Lake | str,
    *,
    genres: Sequence[str] = DEFAULT_GENRES,
    top: int = 5,
    min_votes: int = 100,
    rank_by: str = "vote_average",
    engine: str = "duckdb",
    zone: SourceZone = "auto",
    database: str | None = None,
) -> Analysis:
    """Read the films (Refined, or Raw where Refined is not there yet) and apply the definition.

    ``engine="duckdb"`` reads the lake in process through the catalog's views; ``engine="athena"``
    queries the Refined tables of the Glue database ``database`` (default: the settings') in Athena.
    ``zone`` forces a source (``refined`` or ``raw``) instead of the first that exists (DuckDB only).
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    make_definition(genres, top, min_votes, rank_by)  # fail on bad parameters before reading anything
    store = Lake(lake) if isinstance(lake, str) else lake
    if engine == "athena":
        if zone == "raw":
            raise UsageError("the Raw fallback reads the lake's files: use it with --engine duckdb")
        loaded = load_films_athena(store, database=database)
    else:
        loaded = load_films(store, zone=zone)
    return analyze_films(
        loaded.rows,
        genres=genres,
        top=top,
        min_votes=min_votes,
        rank_by=rank_by,
        known_genres=loaded.known_genres,
        source=loaded.source,
        notice=TMDB_NOTICE,
    )
