"""Which TMDB ids a discover run fetches: ``/discover/movie`` or ``/discover/tv`` by genre, past the page cap.

    ids = await discover_ids(client, Kind.SERIES, ["Comedy", "Animation"], today=date(2026, 11, 26))
    listing = await list_ids(client, Kind.MOVIES, ["all"], steps=saved, should_stop=deadline)

Movies and series differ only in their endpoints: the genre list (TV has its own ids, e.g.
"Action & Adventure" 10759), the discover path and the date that slices it (``primary_release_date``
for movies, ``first_air_date`` for series). Everything else (the 500-page cap, the halving of a
window that is too large) is one piece of code for both.

A listing is a tree of *steps*, each one saved when done (through a :class:`StepStore`): a window's
first page (its page count, and whether it is split in halves), a block of up to ``BLOCK_PAGES`` of
its other pages, a page of the undated titles. Step names are deterministic, so a listing stopped by
``should_stop`` and run again with the steps it saved fetches only the steps it had not done, and
ends with the same ids as a listing that was never cut.

Titles without a date: a date filter leaves them out (TMDB's discover, and the offline server), so a
catalogue sliced into date windows would drop them. When the whole catalogue is sliced, one more
window without a date filter lists them: sorted by the date, they come after every dated title, so
it reads its pages from the last one TMDB serves (page 500 at most) backwards, keeping the undated
titles, until a page holds a dated title.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from cinelake.errors import UsageError, clip_text, first_error
from cinelake.ingest.local_csv import ALL_GENRES
from cinelake.lake.layout import Kind
from cinelake.tmdb.bodies import MAX_PAGES
from cinelake.tmdb.errors import TMDBAuthError, TMDBError, TMDBRequestError

if TYPE_CHECKING:
    from cinelake.tmdb.client import TMDBClient

log = logging.getLogger(__name__)

EARLIEST_RELEASE = date(1870, 1, 1)
BLOCK_PAGES = 10  # pages of a window fetched and saved together as one step
STEPS_IN_FLIGHT = 3  # steps fetched at once (a block's pages share the client's connections)


@dataclass(frozen=True)
class DiscoverEndpoints:
    """The TMDB endpoints of one kind: its genre list and its discover query, sorted by its date."""

    what: str  # "movie" or "series", for messages
    date_field: str  # the date of a list item that discover filters and sorts on
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
    Kind.MOVIES: DiscoverEndpoints("movie", "release_date", _movie_genres, _movie_page),
    Kind.SERIES: DiscoverEndpoints("series", "first_air_date", _tv_genres, _tv_page),
}


@dataclass(frozen=True)
class Step:
    """One done step of a listing: the page count it learnt (a window's first page) and the ids it keeps.

    ``last``: for a page of the undated titles, the walk back through the pages ends here.
    """

    name: str
    total_pages: int | None = None
    ids: tuple[int, ...] = ()
    last: bool = False


class StepStore(Protocol):
    """Where a listing keeps its done steps, so that a listing cut short resumes where it stopped."""

    def get(self, name: str) -> Step | None: ...

    async def put(self, step: Step) -> None: ...


@dataclass
class MemorySteps:
    """Steps kept for the listing's own lifetime only (a listing that cannot resume)."""

    steps: dict[str, Step] = field(default_factory=dict)

    def get(self, name: str) -> Step | None:
        return self.steps.get(name)

    async def put(self, step: Step) -> None:
        self.steps[step.name] = step


# The step name under which a listing records a genre list TMDB would not serve.
GENRES_STEP = "genres"


@dataclass
class Listing:
    """What a listing found; ``complete`` is False when ``should_stop`` cut it before its last step."""

    ids: set[int]
    complete: bool
    pages_fetched: int = 0  # pages asked of TMDB by this call
    steps_reused: int = 0  # steps an earlier call had saved
    steps_done: int = 0  # steps saved by this call
    # Steps whose pages TMDB would not serve (retries spent, a body of the wrong shape): name -> reason.
    # The listing goes on with the other steps and ends incomplete; the next attempt fetches these.
    failed: dict[str, str] = field(default_factory=dict)


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
    ``today`` only if it is too large; the undated titles are then listed by one more window.
    """
    listing = await list_ids(client, kind, genres, date_from, date_to, today=today, in_flight=in_flight)
    if listing.failed:
        name, reason = next(iter(listing.failed.items()))
        raise TMDBRequestError(f"the discover listing failed at step {name}: {reason}")
    return listing.ids


async def list_ids(
    client: TMDBClient,
    kind: Kind,
    genres: Iterable[str],
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    today: date | None = None,
    in_flight: asyncio.Semaphore | None = None,
    steps: StepStore | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Listing:
    """:func:`discover_ids` as a listing that saves each step in ``steps`` and can be cut and resumed.

    Steps already in ``steps`` are not fetched again. Once ``should_stop()`` turns true no new step
    starts (steps in flight finish and are saved) and the listing returns with ``complete=False``.
    A step TMDB will not serve is recorded in ``failed`` with its reason (the others go on) and the
    listing is incomplete too; rejected credentials stop it at once.
    """

    endpoints = ENDPOINTS[kind]
    try:
        ids = await genre_ids(client, genres, kind)
    except TMDBAuthError:
        raise
    except TMDBError as exc:  # the genre list TMDB would not serve: the listing's first step failed
        reason = clip_text(str(exc))
        log.warning("discover: step %s failed: %s", GENRES_STEP, reason)
        return Listing(ids=set(), complete=False, failed={GENRES_STEP: reason})
    with_genres = "|".join(str(i) for i in ids) if ids else None
    cap = MAX_PAGES
    limit = in_flight or asyncio.Semaphore(client.max_connections)
    store = steps if steps is not None else MemorySteps()
    stop = should_stop or (lambda: False)
    slots = asyncio.Semaphore(STEPS_IN_FLIGHT)
    result = Listing(ids=set(), complete=True)
    horizon = (today or datetime.now(UTC).date()) + timedelta(days=366)

    async def page(lo: date | None, hi: date | None, number: int) -> tuple[int, list[tuple[int, bool]]]:
        """A page's ``total_pages`` and its titles as (id, has a date)."""
        async with limit:
            data = await endpoints.page(client, with_genres, lo, hi, number)
        result.pages_fetched += 1
        titles = [
            (item["id"], bool(item.get(endpoints.date_field)))
            for item in data.get("results") or ()
            if isinstance(item, dict) and isinstance(item.get("id"), int)
        ]
        return int(data.get("total_pages") or 0), titles

    async def step(name: str, fetch: Callable[[], Awaitable[Step]]) -> Step | None:
        done = store.get(name)
        if done is not None:
            result.steps_reused += 1
            return done
        async with slots:
            if not result.complete or stop():
                result.complete = False
                return None
            try:
                made = await fetch()
            except TMDBAuthError:
                raise
            except TMDBError as exc:
                result.failed[name] = clip_text(str(exc))
                log.warning("discover: step %s failed: %s", name, result.failed[name])
                return None
            await store.put(made)
            result.steps_done += 1
        return made

    def split(lo: date | None, hi: date | None, pages: int) -> bool:
        return pages > cap and (
            (lo is None and hi is None) or (lo is not None and hi is not None and lo < hi)
        )

    async def window(lo: date | None, hi: date | None) -> None:
        name = f"w-{_day(lo)}-{_day(hi)}"

        async def fetch() -> Step:
            pages, first = await page(lo, hi, 1)
            if not split(lo, hi, pages):
                keep = [i for i, _ in first]
            elif lo is None:  # the whole catalogue: its undated titles, in case TMDB puts them first
                keep = [i for i, dated in first if not dated]
            else:
                keep = []  # the halves list them
            return Step(name, pages, tuple(keep))

        done = await step(name, fetch)
        if done is None:
            return
        result.ids.update(done.ids)
        pages = done.total_pages or 0
        if split(lo, hi, pages):
            if lo is not None and hi is not None:
                middle = lo + (hi - lo) // 2
                spawn(window(lo, middle))
                spawn(window(middle + timedelta(days=1), hi))
            else:
                spawn(window(EARLIEST_RELEASE, horizon))
                log.warning(
                    "discover: the whole %s catalogue has %d pages; titles without a date past page %d "
                    "cannot be listed",
                    endpoints.what,
                    pages,
                    cap,
                )
                spawn(undated(min(pages, cap)))
            return
        if pages > cap:
            log.warning("discover: %s has %d pages; only the first %d can be read", lo, pages, cap)
        last = min(pages, cap)
        for a in range(2, last + 1, BLOCK_PAGES):
            spawn(block(lo, hi, a, min(a + BLOCK_PAGES - 1, last)))

    async def block(lo: date | None, hi: date | None, a: int, b: int) -> None:
        name = f"w-{_day(lo)}-{_day(hi)}-p{a:03d}-{b:03d}"

        async def fetch() -> Step:
            pages = await asyncio.gather(*(page(lo, hi, n) for n in range(a, b + 1)))
            return Step(name, None, tuple(i for _, titles in pages for i, _ in titles))

        done = await step(name, fetch)
        if done is not None:
            result.ids.update(done.ids)

    async def undated(number: int) -> None:
        """Page ``number`` of the whole catalogue, sorted by the date: its titles without one."""
        name = f"undated-p{number:03d}"

        async def fetch() -> Step:
            _, titles = await page(None, None, number)
            keep = [i for i, dated in titles if not dated]
            ends = number <= 1 or any(dated for _, dated in titles)
            return Step(name, None, tuple(keep), last=ends)

        done = await step(name, fetch)
        if done is None:
            return
        result.ids.update(done.ids)
        if not done.last:
            spawn(undated(number - 1))

    lo = date_from or (EARLIEST_RELEASE if date_to else None)
    hi = date_to or (horizon if date_from else None)
    try:
        async with asyncio.TaskGroup() as group:

            def spawn(work: Coroutine[Any, Any, None]) -> None:
                group.create_task(work)

            spawn(window(lo, hi))
    except BaseExceptionGroup as errors:
        raise first_error(errors) from None
    result.complete = result.complete and not result.failed
    return result


def _day(value: date | None) -> str:
    return f"{value:%Y%m%d}" if value else "any"
