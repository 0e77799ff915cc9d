"""Which TMDB ids a discover run fetches: ``/discover/movie`` or ``/discover/tv`` by genre, past the page cap.

    ids = await discover_ids(client, Kind.SERIES, ["Comedy", "Animation"], today=date(2026, 11, 26))

Movies and series differ only in their endpoints: the genre list (TV has its own ids, e.g.
"Action & Adventure" 10759), the discover path and the date that slices it (``primary_release_date``
for movies, ``first_air_date`` for series). Everything else (the 500-page cap, the halving of a
window that is too large) is one piece of code for both.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cinelake.errors import UsageError
from cinelake.ingest.local_csv import ALL_GENRES
from cinelake.lake.layout import Kind

if TYPE_CHECKING:
    from cinelake.tmdb.client import TMDBClient

log = logging.getLogger(__name__)

MAX_PAGES = 500  # TMDB serves no page past 500 of a discover query
EARLIEST_RELEASE = date(1870, 1, 1)


@dataclass(frozen=True)
class DiscoverEndpoints:
    """The TMDB endpoints of one kind: its genre list and its discover query, sorted by its date."""

    what: str  # "movie" or "series", for messages
    genres: Callable[[TMDBClient], Awaitable[dict[str, int]]]
    page: Callable[[TMDBClient, str | None, date | None, date | None, int], Awaitable[dict[str, Any]]]


async def _movie_genres(client: TMDBClient) -> dict[str, int]:
    return await client.movie_genres()


async def _tv_genres(client: TMDBClient) -> dict[str, int]:
    return await client.tv_genres()


async def _movie_page(
    client: TMDBClient, with_genres: str | None, lo: date | None, hi: date | None, number: int
) -> dict[str, Any]:
    return await client.discover_movies(
        with_genres=with_genres,
        release_gte=lo,
        release_lte=hi,
        page=number,
        sort_by="primary_release_date.asc",
    )


async def _tv_page(
    client: TMDBClient, with_genres: str | None, lo: date | None, hi: date | None, number: int
) -> dict[str, Any]:
    return await client.discover_tv(
        with_genres=with_genres, first_air_gte=lo, first_air_lte=hi, page=number, sort_by="first_air_date.asc"
    )


ENDPOINTS = {
    Kind.MOVIES: DiscoverEndpoints("movie", _movie_genres, _movie_page),
    Kind.SERIES: DiscoverEndpoints("series", _tv_genres, _tv_page),
}


async def genre_ids(client: TMDBClient, names: Iterable[str], kind: Kind = Kind.MOVIES) -> list[int] | None:
    """TMDB genre ids of ``kind`` for ``names`` (case-insensitive); None for all genres.

    Movie names resolve on ``/genre/movie/list``, series names on ``/genre/tv/list``.
    """
    names = tuple(names)
    if any(n.lower() == ALL_GENRES for n in names):
        return None
    endpoints = ENDPOINTS[kind]
    known = await endpoints.genres(client)
    by_name = {name.lower(): gid for name, gid in known.items()}
    unknown = [n for n in names if n.lower() not in by_name]
    if unknown:
        raise UsageError(
            f"unknown genre(s) {', '.join(unknown)}: TMDB's {endpoints.what} genres are "
            f"{', '.join(sorted(known))}"
        )
    return sorted({by_name[n.lower()] for n in names})


async def discover_ids(
    client: TMDBClient,
    kind: Kind,
    genres: Iterable[str],
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    today: date | None = None,
    in_flight: asyncio.Semaphore | None = None,
) -> set[int]:
    """The distinct TMDB ids that discover lists for ``kind`` in any of ``genres`` within a date window.

    The window is of release dates for movies and of first air dates for series. A window with
    more than 500 pages is split in halves until each part fits (TMDB serves no page past 500).
    With no window, the whole catalogue is asked first, and sliced from 1870 to a year after
    ``today`` only if it is too large (titles without a date are then out of reach).
    """
    endpoints = ENDPOINTS[kind]
    ids = await genre_ids(client, genres, kind)
    with_genres = "|".join(str(i) for i in ids) if ids else None
    limit = in_flight or asyncio.Semaphore(client.max_connections)
    found: set[int] = set()

    async def page(lo: date | None, hi: date | None, number: int) -> dict[str, Any]:
        async with limit:
            return await endpoints.page(client, with_genres, lo, hi, number)

    def take(data: dict[str, Any]) -> None:
        for item in data.get("results") or ():
            if isinstance(item, dict) and isinstance(item.get("id"), int):
                found.add(item["id"])

    async def window(lo: date | None, hi: date | None) -> None:
        first = await page(lo, hi, 1)
        pages = int(first.get("total_pages") or 0)
        if pages > MAX_PAGES and lo is not None and hi is not None and lo < hi:
            middle = lo + (hi - lo) // 2
            await asyncio.gather(window(lo, middle), window(middle + timedelta(days=1), hi))
            return
        if pages > MAX_PAGES and lo is None and hi is None:
            await window(EARLIEST_RELEASE, horizon)
            return
        if pages > MAX_PAGES:
            log.warning("discover: %s has %d pages; only the first %d can be read", lo, pages, MAX_PAGES)
        take(first)
        rest = await asyncio.gather(*(page(lo, hi, n) for n in range(2, min(pages, MAX_PAGES) + 1)))
        for data in rest:
            take(data)

    horizon = (today or datetime.now(UTC).date()) + timedelta(days=366)
    lo = date_from or (EARLIEST_RELEASE if date_to else None)
    hi = date_to or (horizon if date_from else None)
    await window(lo, hi)
    return found
