"""The lake's answers, for any kind: read the titles (Refined, or Raw where Refined is not there yet)
and apply the kind's definition.

``budget_vs_revenue`` is the films' answer ("how do cost and revenue relate for the best and the worst
films of a genre, and does popularity follow?"); the series' answer is ``answer(lake, SERIES, ...)``
("which series are rated best and worst, and does popularity follow the votes, the seasons or the
episodes?").
"""

from __future__ import annotations

from typing import Any, Unpack

from cinelake.analysis.compute import Asked, analyze, make_definition
from cinelake.analysis.kinds import FILMS, TitleKind
from cinelake.analysis.loader import ENGINES, Loaded, NoAnalysisData, SourceZone, check_engine, load_with
from cinelake.analysis.model import Analysis, Record
from cinelake.attribution import TMDB_NOTICE
from cinelake.errors import CinelakeError
from cinelake.lake.store import Lake

__all__ = ["ENGINES", "answer", "answer_if_held", "budget_vs_revenue", "load_titles"]


def answer(
    lake: Lake,
    kind: TitleKind,
    *,
    engine: str = "duckdb",
    zone: SourceZone = "auto",
    database: str | None = None,
    as_of: str | None = None,
    **asked: Unpack[Asked],
) -> Analysis:
    """Read the titles of ``kind`` and apply its definition of the ``asked`` parameters
    (:class:`cinelake.analysis.compute.Asked`; ``min_votes`` None is the kind's default).

    ``engine="duckdb"`` reads the lake in process through the catalog's views; ``engine="athena"``
    queries the Refined tables of the Glue database ``database`` (default: the settings') in Athena.
    ``as_of`` reads the Refined tables as the lake stood at the end of that collection day
    (``YYYY-MM-DD``) or at that Iceberg snapshot id. ``zone`` forces a source (``refined`` or
    ``raw``) instead of the first that exists (DuckDB only).
    """
    check_engine(engine)
    make_definition(kind, **asked)  # bad parameters fail before anything is read
    loaded = load_with(lake, kind, engine=engine, zone=zone, database=database, as_of=as_of)
    return analyze(
        kind, loaded.rows, **asked, known_genres=loaded.known_genres, source=loaded.source, notice=TMDB_NOTICE
    )


def answer_if_held(
    lake: Lake, kind: TitleKind, *, engine: str = "duckdb", as_of: str | None = None, **asked: Unpack[Asked]
) -> tuple[Analysis | None, str]:
    """The :func:`answer` of ``kind`` where it stands beside another kind's (the series beside the
    films, each kind of a report): None with "" when the lake holds no title of ``kind``, and None with
    why (one line) when it cannot be answered (an older Glue database without the kind's tables, a
    genre the kind does not have), so the other kind's answer still stands."""
    try:
        found = answer(lake, kind, engine=engine, as_of=as_of, **asked)
    except NoAnalysisData:
        return None, ""
    except CinelakeError as exc:
        return None, f"not answered ({exc})"
    if found.source is not None and found.source.titles == 0:
        return None, ""
    return found, ""


def budget_vs_revenue(lake: Lake, **params: Any) -> Analysis:
    """The films' :func:`answer`."""
    return answer(lake, FILMS, **params)


def load_titles(
    lake: Lake, kind: TitleKind, *, zone: SourceZone = "auto", engine: str = "duckdb"
) -> Loaded[Record]:
    """Every title of ``kind`` the answer would read (``auto``: Refined if its tables exist, else Raw)."""
    return load_with(lake, kind, engine=engine, zone=zone)
