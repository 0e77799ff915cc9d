"""The offline server's TMDB semantics: discover filters and pages, appends, auth, rate limit, statistics."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cinelake.tmdb.server import configure, fetch_stats
from cinelake.tmdb.snapshot import load_snapshot
from tests.tmdb.conftest import SERVER_TOKEN

pytestmark = pytest.mark.integration

AUTH = {"Authorization": f"Bearer {SERVER_TOKEN}"}


def _get(server: str, path: str, **params: Any) -> httpx.Response:
    return httpx.get(f"{server}{path}", params=params, headers=AUTH, timeout=30)


def _all_pages(server: str, **params: Any) -> list[dict[str, Any]]:
    first = _get(server, "/discover/movie", **params).json()
    results = list(first["results"])
    for page in range(2, first["total_pages"] + 1):
        results += _get(server, "/discover/movie", page=page, **params).json()["results"]
    assert len(results) == first["total_results"]
    return results


def test_discover_genres_and_is_or(server: str) -> None:
    movies = load_snapshot().movies.values()
    genre_sets = [{g["id"] for g in m["genres"]} for m in movies]
    both = _get(server, "/discover/movie", with_genres="16,35").json()
    either = _get(server, "/discover/movie", with_genres="16|35").json()
    assert both["total_results"] == sum(1 for s in genre_sets if {16, 35} <= s)
    assert either["total_results"] == sum(1 for s in genre_sets if s & {16, 35})
    assert both["total_results"] < either["total_results"]
    assert all({16, 35} <= set(m["genre_ids"]) for m in both["results"])
    assert either["total_pages"] == -(-either["total_results"] // 20)


def test_discover_date_window_year_and_sort(server: str) -> None:
    window = _all_pages(
        server,
        with_genres="16",
        **{"primary_release_date.gte": "1995-01-01", "primary_release_date.lte": "1995-12-31"},
        sort_by="release_date.asc",
    )
    dates = [m["release_date"] for m in window]
    assert dates and all("1995-01-01" <= d <= "1995-12-31" for d in dates)
    assert dates == sorted(dates)
    assert 862 in {m["id"] for m in window}
    by_year = _all_pages(server, with_genres="16", primary_release_year="1995")
    assert {m["id"] for m in by_year} == {m["id"] for m in window}
    popular = _get(server, "/discover/movie", sort_by="popularity.desc").json()["results"]
    assert [m["popularity"] for m in popular] == sorted((m["popularity"] for m in popular), reverse=True)
    top = _get(server, "/discover/movie", sort_by="vote_average.desc").json()["results"]
    assert [m["vote_average"] for m in top] == sorted((m["vote_average"] for m in top), reverse=True)


@pytest.mark.parametrize("page", ["0", "501", "x"])
def test_discover_page_out_of_range(server: str, page: str) -> None:
    response = _get(server, "/discover/movie", page=page)
    assert response.status_code == 400
    assert response.json()["status_code"] == 22


def test_details_appends_only_what_it_has(server: str) -> None:
    plain = _get(server, "/movie/862").json()
    assert "credits" not in plain and "keywords" not in plain
    with_appends = _get(server, "/movie/862", append_to_response="credits,videos,release_dates").json()
    assert with_appends["credits"]["cast"][0]["name"] == "Tom Hanks"
    assert "videos" not in with_appends and "release_dates" not in with_appends
    assert {k: v for k, v in with_appends.items() if k != "credits"} == plain


def test_auth(server: str) -> None:
    assert _get(server, "/authentication").json()["success"] is True
    api_key = httpx.get(f"{server}/authentication", params={"api_key": SERVER_TOKEN}, timeout=30)
    assert api_key.status_code == 200
    assert httpx.get(f"{server}/movie/862", timeout=30).status_code == 401  # no credential at all
    configure(server, token=None)  # the offline demo: any non-empty credential
    assert httpx.get(f"{server}/movie/862", params={"api_key": "anything"}, timeout=30).status_code == 200
    assert httpx.get(f"{server}/movie/862", params={"api_key": ""}, timeout=30).status_code == 401


def test_sudden_401(server: str) -> None:
    assert _get(server, "/movie/862").status_code == 200
    configure(server, sudden_401=True)
    response = _get(server, "/movie/862")
    assert response.status_code == 401 and response.json()["status_code"] == 7


def test_server_rate_limit_answers_429_with_retry_after(server: str) -> None:
    configure(server, rate_limit=5)
    with httpx.Client(headers=AUTH, timeout=30) as client:
        statuses = [client.get(f"{server}/movie/862") for _ in range(12)]
    limited = [r for r in statuses if r.status_code == 429]
    served = sum(1 for r in statuses if r.status_code == 200)
    assert 5 <= served <= 7  # a second's worth at once, plus what refilled while the 12 were sent
    assert limited and limited[0].json()["status_code"] == 25
    assert int(limited[0].headers["retry-after"]) >= 1
    stats = fetch_stats(server)
    assert stats["rate_limited"] == len(limited)
    assert stats["by_status"] == {"200": served, "429": len(limited)}


def test_stats_and_request_log(server: str) -> None:
    _get(server, "/movie/862")
    _get(server, "/movie/1")
    stats = fetch_stats(server, log=True)
    assert stats["requests"] == 2
    assert stats["by_status"] == {"200": 1, "404": 1}
    assert [(e["path"], e["status"]) for e in stats["log"]] == [("/3/movie/862", 200), ("/3/movie/1", 404)]
    assert stats["peak_per_second"] == 2 and stats["peak_in_flight"] == 1
    assert stats["options"]["token"] == "***"


def test_unknown_option_is_refused(server: str) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        configure(server, script=["meteor"])


def test_a_path_fault_answers_every_request_of_that_path(server: str) -> None:
    configure(server, path_faults={"/3/movie/862": "500"})
    assert [_get(server, "/movie/862").status_code for _ in range(3)] == [500, 500, 500]
    assert _get(server, "/movie/863").status_code in (200, 404)  # other paths are served
    with pytest.raises(ValueError, match="unknown fault kind"):
        configure(server, path_faults={"/3/movie/862": "meteor"})
