"""The offline server's simulated change feed: ``/movie/changes`` and ``/tv/changes``.

The edits are SIMULATED (TMDB's real change lists are not in the snapshot). With
``--changes-per-day FRACTION`` the server edits a deterministic set of titles every day: each title gets
a phase from a hash of its id and is edited on the days whose ordinal has that phase modulo
``round(1 / FRACTION)``, so about ``FRACTION`` of the titles are edited each day, the same ones on every
run; with ``--changes-from DATE`` the edits begin that day (before it the snapshot's values stand and
no change is listed), so a demo or benchmark can say exactly how many titles were edited since its first
day. A title's served ``popularity``, ``vote_count`` and ``vote_average`` are those of its latest edit
on or before the server's day (``--today``, default: the UTC date), so a title that was not edited
between two days answers the same values on both, and an edited one answers new values.

The feed is generic over an id list: the movie snapshot feeds ``/movie/changes``; ``/tv/changes``
serves whatever series ids the server has.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson

MAX_WINDOW_DAYS = 14  # TMDB refuses a longer start_date..end_date range
PAGE_SIZE = 100  # ids per page of a change list, as TMDB serves them
SIMULATED_HEADER = "x-cinelake-simulated"
# vote_count grows by one per edit, counted from the feed's first day (--changes-from) or from here.
VOTE_ORIGIN = date(2020, 1, 1)
INVALID_DATE_RANGE = orjson.dumps(
    {
        "success": False,
        "status_code": 20,
        "status_message": "Invalid date range: Should be a range no longer than 14 days.",
    }
)


def period_of(fraction: float) -> int:
    """Days between two edits of a title: ``round(1 / fraction)`` (0 when the feed is off)."""
    if fraction <= 0:
        return 0
    return max(1, round(1.0 / fraction))


def _hash(*parts: object) -> int:
    text = ":".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


class ChangeFeed:
    """Which of ``ids`` are edited on which day, and what an edit does to a title's values."""

    def __init__(self, kind: str, ids: Iterable[int]) -> None:
        self.kind = kind
        self.ids = sorted(set(ids))
        self._buckets: dict[int, list[list[int]]] = {}

    def phase(self, title_id: int, period: int) -> int:
        return _hash(self.kind, title_id) % period

    def _bucket(self, period: int) -> list[list[int]]:
        buckets = self._buckets.get(period)
        if buckets is None:
            buckets = [[] for _ in range(period)]
            for title_id in self.ids:
                buckets[self.phase(title_id, period)].append(title_id)
            self._buckets[period] = buckets
        return buckets

    def edited_on(self, day: date, fraction: float, since: date | None = None) -> list[int]:
        """The ids edited on ``day`` (sorted); none before ``since``, the feed's first day."""
        period = period_of(fraction)
        if not period or (since is not None and day < since):
            return []
        return self._bucket(period)[day.toordinal() % period]

    def changed(
        self, start: date, end: date, fraction: float, today: date, since: date | None = None
    ) -> list[int]:
        """The ids edited from ``start`` to ``end`` (inclusive; none after ``today``), sorted."""
        found: set[int] = set()
        day = start
        while day <= min(end, today):
            found.update(self.edited_on(day, fraction, since))
            day += timedelta(days=1)
        return sorted(found)

    def last_edit(
        self, title_id: int, fraction: float, today: date, since: date | None = None
    ) -> date | None:
        """The day of the title's latest edit on or before ``today`` (None: the feed is off, or no edit
        since ``since``)."""
        period = period_of(fraction)
        if not period:
            return None
        back = (today.toordinal() - self.phase(title_id, period)) % period
        last = today - timedelta(days=back)
        return None if since is not None and last < since else last

    def edit(
        self, record: dict[str, Any], fraction: float, today: date, since: date | None = None
    ) -> dict[str, Any]:
        """``record`` (a details object) with the values of its latest simulated edit."""
        title_id = record.get("id")
        if not isinstance(title_id, int):
            return record
        last = self.last_edit(title_id, fraction, today, since)
        if last is None:
            return record
        period = period_of(fraction)
        seed = _hash(self.kind, title_id, last.isoformat())
        edited = dict(record)
        popularity = record.get("popularity")
        if isinstance(popularity, int | float):
            edited["popularity"] = round(float(popularity) * (0.5 + (seed % 1000) / 1000), 3)
        votes = record.get("vote_count")
        if isinstance(votes, int):
            # One vote more per edit, counted from the feed's first day (or a fixed origin).
            edited["vote_count"] = votes + 1 + max(0, (last - (since or VOTE_ORIGIN)).days // period)
        average = record.get("vote_average")
        if isinstance(average, int | float) and average > 0:
            step = ((seed >> 10) % 5 - 2) / 10  # -0.2 .. +0.2
            edited["vote_average"] = round(min(10.0, max(0.0, float(average) + step)), 3)
        return edited


def server_today(value: str | None) -> date:
    """The server's day: ``value`` (YYYY-MM-DD) or today's UTC date."""
    return date.fromisoformat(value) if value else datetime.now(UTC).date()


def feed_start(value: str | None) -> date | None:
    """The feed's first day of edits (``--changes-from``), or None: edits on every day."""
    return date.fromisoformat(value) if value else None


def changes_page(
    feed: ChangeFeed, fraction: float, today: date, params: Any, since: date | None = None
) -> tuple[int, bytes]:
    """The status and body of one page of ``/{kind}/changes`` (TMDB's shape and error bodies)."""
    from cinelake.tmdb.server import bodies

    try:
        end = date.fromisoformat(params["end_date"]) if params.get("end_date") else today
        start = date.fromisoformat(params["start_date"]) if params.get("start_date") else end - timedelta(1)
    except ValueError:
        return 422, bodies.validation_error("start_date and end_date must be dates as YYYY-MM-DD")
    if end < start or (end - start).days > MAX_WINDOW_DAYS:
        return 422, INVALID_DATE_RANGE
    try:
        page = int(params.get("page", "1"))
    except ValueError:
        page = 0
    if not 1 <= page <= 500:
        return 400, bodies.INVALID_PAGE
    ids = feed.changed(start, end, fraction, today, since)
    first = (page - 1) * PAGE_SIZE
    body = {
        "results": [{"id": i, "adult": False} for i in ids[first : first + PAGE_SIZE]],
        "page": page,
        "total_pages": -(-len(ids) // PAGE_SIZE),
        "total_results": len(ids),
    }
    return 200, orjson.dumps(body)


def build_change_routes(state: Any, movies: ChangeFeed, series: ChangeFeed) -> list[Any]:
    """``/3/movie/changes`` and ``/3/tv/changes`` (listed before ``/3/movie/{id}``, which would match)."""
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    def answer(feed: ChangeFeed, request: Request) -> Response:
        options = state.options
        status, body = changes_page(
            feed,
            options.changes_per_day,
            server_today(options.today),
            request.query_params,
            feed_start(options.changes_from),
        )
        return Response(
            body,
            status_code=status,
            media_type="application/json;charset=utf-8",
            headers={SIMULATED_HEADER: "true"},
        )

    async def movie_changes(request: Request) -> Response:
        return answer(movies, request)

    async def tv_changes(request: Request) -> Response:
        return answer(series, request)

    return [Route("/3/movie/changes", movie_changes), Route("/3/tv/changes", tv_changes)]


def edited_details(state: Any, feed: ChangeFeed, body: bytes) -> bytes:
    """A details body with its title's simulated edit applied (unchanged when the feed is off)."""
    options = state.options
    if options.changes_per_day <= 0:
        return body
    record = orjson.loads(body)
    today = server_today(options.today)
    return orjson.dumps(feed.edit(record, options.changes_per_day, today, feed_start(options.changes_from)))
