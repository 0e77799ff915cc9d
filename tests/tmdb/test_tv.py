"""The offline server's TV endpoints: their answers against real TMDB responses (tests/data/tmdb_tv_samples,
tests/data/tmdb_api_samples), their filters and pages, and the same gate (faults, rate limit, credentials,
error bodies) as the movie routes."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from cinelake.tmdb.client import TMDBClient
from cinelake.tmdb.server import configure, fetch_stats
from cinelake.tmdb.snapshot.tv import TV_LIST_ITEM_KEYS, load_tv_snapshot
from tests.support.series import DECLARED_TV_IMDB_IDS, tv_details_samples, tv_sample
from tests.tmdb.conftest import SERVER_TOKEN
from tests.tmdb.test_contract import assert_shape

pytestmark = pytest.mark.integration

AUTH = {"Authorization": f"Bearer {SERVER_TOKEN}"}


def _get(server: str, path: str, **params: Any) -> httpx.Response:
    return httpx.get(f"{server}{path}", params=params, headers=AUTH, timeout=30)


def _all_pages(server: str, **params: Any) -> list[dict[str, Any]]:
    first = _get(server, "/discover/tv", **params).json()
    results = list(first["results"])
    for page in range(2, first["total_pages"] + 1):
        results += _get(server, "/discover/tv", page=page, **params).json()["results"]
    assert len(results) == first["total_results"]
    return results


def assert_tv_list_item(item: dict[str, Any]) -> None:
    """A TV list item: TMDB's list keys only, each with the kind the real ``/tv/{id}`` responses give it."""
    details = list(tv_details_samples().values())
    movie_items = tv_sample("movie-popular.json")["results"]
    assert item.keys() <= {*TV_LIST_ITEM_KEYS, "media_type"}
    for key, value in item.items():
        if key == "genre_ids":
            assert_shape(value, [m["genre_ids"] for m in movie_items], "$.genre_ids")
        elif key == "media_type":
            assert value == "tv"
        else:
            assert_shape(value, [d[key] for d in details], f"$.{key}")


def test_tv_details_are_the_real_responses() -> None:
    # The packaged snapshot holds the sample's objects unchanged (nothing added, nothing dropped).
    snapshot = load_tv_snapshot()
    for tv_id, real in tv_details_samples().items():
        assert snapshot.series[tv_id] == real


@pytest.mark.slow
def test_tv_details_over_http(server: str) -> None:
    samples = tv_details_samples()
    for tv_id, real in samples.items():
        response = _get(server, f"/tv/{tv_id}", append_to_response="credits,keywords,external_ids")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        actual = response.json()
        assert actual == real  # no append: the source has none, and no IMDB id is declared
        assert_shape(actual, list(samples.values()))
    assert _get(server, "/tv/2190-south-park").json()["name"] == "South Park"


def test_external_ids_and_find_only_for_declared_imdb_ids(server: str) -> None:
    configure(server, tv_imdb_ids=DECLARED_TV_IMDB_IDS)
    show = _get(server, "/tv/2190", append_to_response="external_ids,credits").json()
    assert show["external_ids"] == {"id": 2190, "imdb_id": "tt0121955"}
    assert "credits" not in show
    assert {k: v for k, v in show.items() if k != "external_ids"} == tv_details_samples()[2190]

    found = _get(server, "/find/tt0121955", external_source="imdb_id").json()
    real = tv_sample("find-by-id-movie.json")
    assert found.keys() == real.keys()
    assert found["movie_results"] == [] and [s["id"] for s in found["tv_results"]] == [2190]
    assert_tv_list_item(found["tv_results"][0])
    assert sorted(found["tv_results"][0]["genre_ids"]) == [16, 35]

    # A film's IMDB id still finds the film, and no series.
    film = _get(server, "/find/tt0114709", external_source="imdb_id").json()
    assert [m["id"] for m in film["movie_results"]] == [862] and film["tv_results"] == []

    configure(server, tv_imdb_ids={})
    assert _get(server, "/find/tt0121955", external_source="imdb_id").json()["tv_results"] == []
    assert "external_ids" not in _get(server, "/tv/2190", append_to_response="external_ids").json()


def test_genre_tv_list_resolves_tv_names(server: str) -> None:
    actual = _get(server, "/genre/tv/list").json()
    assert_shape(actual, [tv_sample("genre-movie-list.json")])
    by_name = {g["name"]: g["id"] for g in actual["genres"]}
    assert (by_name["Comedy"], by_name["Animation"], by_name["Action & Adventure"]) == (35, 16, 10759)
    carried = {(g["id"], g["name"]) for s in load_tv_snapshot().series.values() for g in s["genres"]}
    assert {(g["id"], g["name"]) for g in actual["genres"]} == carried


def test_discover_tv_genres_window_sort_and_pages(server: str) -> None:
    series = load_tv_snapshot().series.values()
    genre_sets = [{g["id"] for g in s["genres"]} for s in series]
    either = _all_pages(server, with_genres="35|16")
    both = _get(server, "/discover/tv", with_genres="35,16").json()
    assert len(either) == sum(1 for s in genre_sets if s & {16, 35}) == 42
    assert both["total_results"] == sum(1 for s in genre_sets if {16, 35} <= s)
    page = _get(server, "/discover/tv", with_genres="35|16", page=2).json()
    real_page = tv_sample("movie-popular.json")
    assert page.keys() == real_page.keys()
    assert_shape({**page, "results": []}, [{**real_page, "results": []}])
    assert (page["page"], page["total_pages"], len(page["results"])) == (2, 3, 20)
    for item in either:
        assert_tv_list_item(item)

    window = _all_pages(
        server,
        with_genres="16",
        sort_by="first_air_date.asc",
        **{"first_air_date.gte": "2010-01-01", "first_air_date.lte": "2015-12-31"},
    )
    dates = [s["first_air_date"] for s in window]
    assert dates and dates == sorted(dates) and all("2010-01-01" <= d <= "2015-12-31" for d in dates)
    by_year = _all_pages(server, first_air_date_year="2014")
    assert by_year and all(s["first_air_date"].startswith("2014") for s in by_year)
    top = _get(server, "/discover/tv", sort_by="vote_average.desc").json()["results"]
    assert [s["vote_average"] for s in top] == sorted((s["vote_average"] for s in top), reverse=True)


def test_tv_errors_are_tmdbs(server: str) -> None:
    not_found = _get(server, "/tv/999999999")
    assert not_found.status_code == 404
    real = tv_sample("resource-not-found.json")
    assert {k: v for k, v in not_found.json().items() if k != "success"} == real
    assert _get(server, "/tv/not-a-number").status_code == 404
    assert _get(server, "/discover/tv", page=501).json()["status_code"] == 22
    assert _get(server, "/discover/tv", sort_by="release_date.asc").status_code == 422
    rejected = httpx.get(f"{server}/tv/2190", headers={"Authorization": "Bearer wrong"}, timeout=30)
    assert rejected.status_code == 401
    assert rejected.json() == tv_sample("invalid-api-key.json")


def test_tv_routes_pass_the_same_gate(server: str) -> None:
    configure(server, script=["503", "429", "truncated"], retry_after_s=0)

    async def fetch() -> tuple[dict[str, Any], dict[str, Any]]:
        async with TMDBClient(server, SERVER_TOKEN, rate_limit=None, backoff_base=0.01) as client:
            return await client.tv_details(2190), client.stats.as_dict()

    show, stats = asyncio.run(fetch())
    assert show == tv_details_samples()[2190]
    assert stats["retries"] == 3 and stats["throttled"] == 1
    served = fetch_stats(server)
    assert served["faults"] == {"503": 1, "429": 1, "truncated": 1}

    configure(server, rate_limit=2)
    statuses = [_get(server, "/genre/tv/list").status_code for _ in range(6)]
    assert 429 in statuses
    configure(server, rate_limit=None, sudden_401=True)
    assert _get(server, "/discover/tv").status_code == 401


def test_tv_imdb_ids_must_map_imdb_ids_to_integer_tv_ids(server: str) -> None:
    from cinelake.tmdb.server import ServerOptions

    with pytest.raises(ValueError, match="tv_imdb_ids maps IMDB ids to integer TMDB TV ids"):
        ServerOptions(tv_imdb_ids={"tt0121955": "2190"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="tv_imdb_ids"):
        configure(server, tv_imdb_ids={"tt0121955": 2190.5})
    assert fetch_stats(server)["options"]["tv_imdb_ids"] == {}  # a refused change changes nothing
    assert configure(server, tv_imdb_ids={"tt0121955": 2190})["tv_imdb_ids"] == {"tt0121955": 2190}
