"""TMDB ingestion over both kinds in one go, and the discover-by-genre series run.

    request = TMDBIngestRequest(source="discover", genres=("Comedy", "Animation"))
    results = ingest_kinds(lake, request, parse_kinds("both"), settings)  # {Kind.MOVIES: .., Kind.SERIES: ..}
    result = discover_series(lake, genres=("Comedy", "Animation"), settings=settings)

Each kind is its own run of :func:`cinelake.ingest.tmdb.ingest_tmdb` (its own run id, plan, manifest
and ``Raw/TMDB/JSON/<Movies|Series>/YYYY/MM/DD/`` folder), so movies and series never share a file, and
rerunning resumes each where it stopped. Runs go one after the other: the client's rate limit and
connection pool are the TMDB account's, not the run's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from cinelake.errors import UsageError
from cinelake.ingest.local_csv import parse_kind
from cinelake.ingest.tmdb import (
    DEFAULT_GENRES,
    IngestResult,
    ProgressCallback,
    StopCheck,
    TMDBIngestRequest,
    ingest_tmdb,
)
from cinelake.lake.layout import Kind

if TYPE_CHECKING:
    from cinelake.config import Settings
    from cinelake.lake.store import Lake

BOTH = "both"


def parse_kinds(value: str | Kind | None, default: Kind = Kind.MOVIES) -> tuple[Kind, ...]:
    """``movies``, ``series`` or ``both`` (any case) as the kinds to ingest, movies first."""
    if isinstance(value, str) and value.strip().lower() == BOTH:
        return (Kind.MOVIES, Kind.SERIES)
    try:
        kind = parse_kind(value)
    except UsageError:
        raise UsageError(f"unknown kind {value!r}: use movies, series or both") from None
    return (kind or default,)


def ingest_kinds(
    lake: Lake,
    request: TMDBIngestRequest,
    kinds: Sequence[Kind],
    settings: Settings | None = None,
    *,
    should_stop: StopCheck | None = None,
    progress: Callable[[Kind], ProgressCallback | None] | None = None,
    on_result: Callable[[IngestResult], None] | None = None,
) -> dict[Kind, IngestResult]:
    """Run ``request`` once per kind in ``kinds`` (a discover request: a CSV holds one kind).

    ``progress(kind)`` gives the callback of that kind's run; ``on_result`` hears each run as it ends.
    A stop asked during one kind's run leaves the kinds after it untouched (and absent from the result).
    """
    kinds = tuple(dict.fromkeys(kinds))
    if len(kinds) > 1 and request.source != "discover":
        raise UsageError("movies and series in one go need --discover: a CSV holds one kind")
    requests = [dataclasses.replace(request, kind=kind).normalized() for kind in kinds]
    results: dict[Kind, IngestResult] = {}
    for each in requests:
        if results and should_stop is not None and should_stop():
            break
        callback = progress(each.kind) if progress is not None else None
        result = ingest_tmdb(lake, each, settings, should_stop=should_stop, progress=callback)
        results[each.kind] = result
        if on_result is not None:
            on_result(result)
    return results


def discover_series(
    lake: Lake,
    genres: Sequence[str] = DEFAULT_GENRES,
    *,
    day: date | None = None,
    first_air_from: date | None = None,
    first_air_to: date | None = None,
    settings: Settings | None = None,
    should_stop: StopCheck | None = None,
    progress: ProgressCallback | None = None,
    incremental: bool = False,
) -> IngestResult:
    """Ingest the series ``/discover/tv`` lists for any of ``genres`` into ``Raw/TMDB/JSON/Series/``.

    The genre names are TMDB's TV genres (``/genre/tv/list``: "Comedy", "Animation", "Action &
    Adventure" ...); the optional window is of first air dates. The same call on the same day resumes
    the same run. With the offline server's settings it reads the packaged TV snapshot.
    ``incremental`` fetches only the series new to the lake and those ``/tv/changes`` names.
    """
    request = TMDBIngestRequest(
        kind=Kind.SERIES,
        day=day or datetime.now(UTC).date(),
        source="discover",
        genres=tuple(genres),
        release_from=first_air_from,
        release_to=first_air_to,
        incremental=incremental,
    )
    return ingest_tmdb(lake, request, settings, should_stop=should_stop, progress=progress)
