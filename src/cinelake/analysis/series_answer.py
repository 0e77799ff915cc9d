"""``best_and_worst_series``: the lake's answer to "which Comedy and Animation series are rated best
and worst, and does popularity follow the votes, the seasons or the episodes?"."""

from __future__ import annotations

from collections.abc import Sequence

from cinelake.analysis.compute import make_definition
from cinelake.analysis.model import DEFAULT_GENRES
from cinelake.analysis.series_compute import analyze_series
from cinelake.analysis.series_model import SERIES_MIN_VOTES, SeriesAnalysis
from cinelake.analysis.series_sources import load_series, load_series_athena
from cinelake.analysis.sources import SourceZone
from cinelake.attribution import TMDB_NOTICE
from cinelake.errors import UsageError
from cinelake.lake.store import Lake

ENGINES: tuple[str, ...] = ("duckdb", "athena")


def best_and_worst_series(
    lake: Lake | str,
    *,
    genres: Sequence[str] = DEFAULT_GENRES,
    top: int = 5,
    min_votes: int = SERIES_MIN_VOTES,
    engine: str = "duckdb",
    zone: SourceZone = "auto",
    database: str | None = None,
) -> SeriesAnalysis:
    """Read the series (Refined, or Raw where Refined holds none yet) and apply the series definition.

    ``engine="athena"`` queries the Refined tables of the Glue database ``database`` in Athena.
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    make_definition(genres, top, min_votes, "vote_average")  # bad parameters fail before any read
    store = Lake(lake) if isinstance(lake, str) else lake
    if engine == "athena":
        if zone == "raw":
            raise UsageError("the Raw fallback reads the lake's files: use it with --engine duckdb")
        loaded = load_series_athena(store, database=database)
    else:
        loaded = load_series(store, zone=zone)
    return analyze_series(
        loaded.rows,
        genres=genres,
        top=top,
        min_votes=min_votes,
        known_genres=loaded.known_genres,
        source=loaded.source,
        notice=TMDB_NOTICE,
    )
