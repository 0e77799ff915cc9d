"""The offline server's simulated change feed and /movie/{imdb_id}, through HTTP and through the client."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from cinelake.tmdb.client import TMDBClient
from cinelake.tmdb.errors import TMDBNotFound, TMDBRequestError
from cinelake.tmdb.server import configure
from cinelake.tmdb.server.changes import ChangeFeed, period_of
from cinelake.tmdb.snapshot import load_snapshot
from tests.tmdb.conftest import SERVER_TOKEN

pytestmark = pytest.mark.integration

AUTH = {"Authorization": f"Bearer {SERVER_TOKEN}"}
DAY = date(2026, 11, 27)


def _get(server: str, path: str, **params: Any) -> httpx.Response:
    return httpx.get(f"{server}{path}", params=params, headers=AUTH, timeout=30)


def _client(server: str) -> TMDBClient:
    return TMDBClient(base_url=server, read_access_token=SERVER_TOKEN, rate_limit=None, max_retries=0)


def test_movie_by_imdb_id_is_the_same_body_and_unknown_is_tmdbs_404(server: str) -> None:
    by_tmdb = _get(server, "/movie/862", append_to_response="credits,external_ids")
    by_imdb = _get(server, "/movie/tt0114709", append_to_response="credits,external_ids")
    assert by_imdb.status_code == 200 and by_imdb.content == by_tmdb.content
    unknown = _get(server, "/movie/tt9999990")
    assert unknown.status_code == 404
    assert unknown.json() == {
        "success": False,
        "status_code": 34,
        "status_message": "The resource you requested could not be found.",
    }


def test_changes_are_off_by_default(server: str) -> None:
    body = _get(server, "/movie/changes", start_date="2026-11-20", end_date="2026-11-27").json()
    assert body == {"results": [], "page": 1, "total_pages": 0, "total_results": 0}


def test_change_feed_is_deterministic_paged_and_edits_values(server: str) -> None:
    configure(server, changes_per_day=0.05, today=DAY.isoformat())
    snapshot = load_snapshot()
    feed = ChangeFeed("movie", snapshot.movies)
    one_day = _get(server, "/movie/changes", start_date=DAY.isoformat(), end_date=DAY.isoformat())
    assert one_day.headers["x-cinelake-simulated"] == "true"
    data = one_day.json()
    expected = feed.edited_on(DAY, 0.05)
    # About 5% of the snapshot a day, 100 ids a page, and the same set every time.
    assert data["total_results"] == len(expected)
    assert abs(len(expected) - len(snapshot.movies) / period_of(0.05)) < 0.1 * len(expected)
    assert data["total_pages"] == -(-len(expected) // 100) and len(data["results"]) == 100
    listed = asyncio.run(_changes(server, DAY, DAY))
    assert listed == expected
    # Edited titles answer new values on their edit day; the others answer yesterday's.
    edited, untouched = expected[0], feed.edited_on(DAY - timedelta(days=3), 0.05)[0]
    assert untouched not in expected
    today = {i: _get(server, f"/movie/{i}").json() for i in (edited, untouched)}
    configure(server, today=(DAY - timedelta(days=1)).isoformat())
    yesterday = {i: _get(server, f"/movie/{i}").json() for i in (edited, untouched)}
    assert today[untouched] == yesterday[untouched]
    assert today[edited]["vote_count"] == yesterday[edited]["vote_count"] + 1
    assert today[edited]["popularity"] != yesterday[edited]["popularity"]
    # No edits listed after the server's day.
    assert _get(server, "/movie/changes", start_date=DAY.isoformat(), end_date=DAY.isoformat()).json()[
        "total_results"
    ] == 0


async def _changes(server: str, start: date, end: date) -> list[int]:
    async with _client(server) as client:
        return sorted(await client.movie_changes(start, end))


def test_a_window_over_14_days_gets_tmdbs_error_body(server: str) -> None:
    configure(server, changes_per_day=0.05, today=DAY.isoformat())
    answer = _get(server, "/movie/changes", start_date="2026-11-12", end_date="2026-11-27")
    assert answer.status_code == 422
    assert answer.json() == {
        "success": False,
        "status_code": 20,
        "status_message": "Invalid date range: Should be a range no longer than 14 days.",
    }
    assert _get(server, "/tv/changes", start_date="2026-11-13", end_date="2026-11-27").status_code == 200
    with pytest.raises(TMDBRequestError, match="HTTP 422"):
        asyncio.run(_changes(server, date(2026, 11, 1), DAY))


def test_client_direct_imdb_look_up(server: str) -> None:
    async def go() -> tuple[dict[str, Any], BaseException | None]:
        async with _client(server) as client:
            movie = await client.movie_details_by_imdb("tt0114709", append=("credits",))
            try:
                await client.movie_details_by_imdb("tt9999990")
            except TMDBNotFound as exc:
                return movie, exc
            return movie, None

    movie, missing = asyncio.run(go())
    assert movie["id"] == 862 and movie["imdb_id"] == "tt0114709" and "credits" in movie
    assert isinstance(missing, TMDBNotFound)


def test_tv_feed_is_generic_over_ids() -> None:
    feed = ChangeFeed("tv", range(1, 1001))
    days = [DAY + timedelta(days=n) for n in range(period_of(0.1))]
    per_day = [feed.edited_on(day, 0.1) for day in days]
    # Over one period every title is edited exactly once.
    assert sorted(i for ids in per_day for i in ids) == list(range(1, 1001))
    assert feed.changed(days[0], days[-1], 0.1, today=days[1]) == sorted(per_day[0] + per_day[1])


def test_tv_changes_list_the_packaged_series_and_edit_their_details(server: str) -> None:
    from cinelake.tmdb.snapshot.tv import load_tv_snapshot

    configure(server, changes_per_day=0.25, today=DAY.isoformat())
    feed = ChangeFeed("tv", load_tv_snapshot().ids)
    expected = feed.edited_on(DAY, 0.25)
    listed = _get(server, "/tv/changes", start_date=DAY.isoformat(), end_date=DAY.isoformat()).json()
    assert expected and sorted(item["id"] for item in listed["results"]) == sorted(expected)
    edited = expected[0]
    today = _get(server, f"/tv/{edited}").json()
    configure(server, today=(DAY - timedelta(days=1)).isoformat())
    yesterday = _get(server, f"/tv/{edited}").json()
    assert today["vote_count"] == yesterday["vote_count"] + 1


def test_edits_begin_on_changes_from(server: str) -> None:
    snapshot = load_snapshot()
    feed = ChangeFeed("movie", snapshot.movies)
    configure(server, changes_per_day=0.05, today=DAY.isoformat(), changes_from=DAY.isoformat())
    window = {"start_date": (DAY - timedelta(days=3)).isoformat(), "end_date": DAY.isoformat()}
    listed = _get(server, "/movie/changes", **window).json()
    # Only DAY's edits: the days before the feed's first day have none.
    assert listed["total_results"] == len(feed.edited_on(DAY, 0.05)) > 0
    before = feed.edited_on(DAY - timedelta(days=1), 0.05)[0]
    served = _get(server, f"/movie/{before}").json()
    configure(server, changes_per_day=0.0, changes_from=None)
    assert served == _get(server, f"/movie/{before}").json()  # the snapshot's own values
    with pytest.raises(ValueError, match="changes_from must be a date"):
        configure(server, changes_from="yesterday")
