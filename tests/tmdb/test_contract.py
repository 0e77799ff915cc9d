"""The offline server answers in the shapes of real TMDB responses (tmdb_api_samples), key by key.

A key the snapshot lacks may be absent; every key present must exist in the real responses with the real type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.tmdb.conftest import SERVER_TOKEN

pytestmark = pytest.mark.integration

AUTH = {"Authorization": f"Bearer {SERVER_TOKEN}"}
JDROUET = "jdrouet_tmdb-api"
CEG = "c-eg_themoviedbapi"


def _sample(real_data: Path, folder: str, name: str) -> Any:
    return orjson.loads((real_data / "tmdb_api_samples" / folder / name).read_bytes())


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"  # JSON has one number type: 7.0 and 7 are the same number
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _schema(samples: list[Any]) -> dict[str, Any]:
    """What the samples allow at one place: kinds, and (merged over all samples) object keys / array items."""
    schema: dict[str, Any] = {"kinds": set(), "keys": {}, "items": []}
    objects: dict[str, list[Any]] = {}
    for sample in samples:
        schema["kinds"].add(_kind(sample))
        if isinstance(sample, dict):
            for key, value in sample.items():
                objects.setdefault(key, []).append(value)
        elif isinstance(sample, list):
            schema["items"].extend(sample)
    schema["keys"] = {key: _schema(values) for key, values in objects.items()}
    schema["item"] = _schema(schema["items"]) if schema["items"] else None
    return schema


def assert_shape(actual: Any, samples: list[Any], where: str = "$") -> None:
    schema = _schema(samples)
    kind = _kind(actual)
    # A nullable field (null in one real response) may carry the object another real response has.
    assert kind in schema["kinds"] or (
        kind != "null" and "null" in schema["kinds"] and len(schema["kinds"]) == 1
    ), f"{where}: {kind}, real TMDB has {sorted(schema['kinds'])}"
    if isinstance(actual, dict) and schema["keys"]:
        extra = actual.keys() - schema["keys"].keys()
        assert not extra, f"{where}: keys TMDB does not send: {sorted(extra)}"
        for key, value in actual.items():
            real = [s[key] for s in samples if isinstance(s, dict) and key in s]
            assert_shape(value, real, f"{where}.{key}")
    elif isinstance(actual, list) and schema["item"] is not None:
        for index, item in enumerate(actual):
            assert_shape(item, schema["items"], f"{where}[{index}]")


def _get(server: str, path: str, **params: Any) -> httpx.Response:
    return httpx.get(f"{server}{path}", params=params, headers=AUTH, timeout=30)


def test_movie_details(server: str, real_data: Path) -> None:
    response = _get(server, "/movie/550")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    actual = response.json()
    samples = [
        _sample(real_data, JDROUET, "movie-details.json"),
        _sample(real_data, CEG, "movie_details.json"),
    ]
    assert_shape(actual, samples)
    required = {"id", "imdb_id", "budget", "revenue", "genres", "original_title", "title", "release_date"}
    assert required <= actual.keys()
    assert (actual["id"], actual["imdb_id"], actual["budget"]) == (550, "tt0137523", 63_000_000)


def test_movie_details_with_appends(server: str, real_data: Path) -> None:
    actual = _get(
        server, "/movie/862", append_to_response="credits,keywords,external_ids,release_dates"
    ).json()
    assert {"credits", "keywords", "external_ids"} <= actual.keys()
    assert "release_dates" not in actual  # no data for it: left out, as TMDB leaves out what it cannot append
    assert_shape(actual["external_ids"], [_sample(real_data, JDROUET, "movie-external-ids.json")])
    base = {k: v for k, v in actual.items() if k not in ("credits", "keywords", "external_ids")}
    assert_shape(base, [_sample(real_data, JDROUET, "movie-details.json")])


def test_find(server: str, real_data: Path) -> None:
    actual = _get(server, "/find/tt0499549", external_source="imdb_id").json()
    samples = [
        _sample(real_data, JDROUET, "find-by-id-movie.json"),
        _sample(real_data, CEG, "find_movie_results.json"),
    ]
    assert_shape(actual, samples)
    assert actual.keys() == samples[0].keys()
    assert [m["id"] for m in actual["movie_results"]] == [19995]
    assert actual["movie_results"][0]["media_type"] == "movie"
    assert actual["tv_results"] == []


def test_find_unknown_id_is_empty_not_an_error(server: str) -> None:
    response = _get(server, "/find/tt9999999", external_source="imdb_id")
    assert response.status_code == 200
    assert response.json()["movie_results"] == []


def test_discover_page(server: str, real_data: Path) -> None:
    actual = _get(server, "/discover/movie", with_genres="35", page=3).json()
    samples = [
        _sample(real_data, CEG, "discover_movies.json"),
        _sample(real_data, JDROUET, "movie-popular.json"),
        _sample(real_data, JDROUET, "search-movie.json"),
    ]
    assert_shape(actual, samples)
    assert actual.keys() == {"page", "results", "total_pages", "total_results"}
    assert actual["page"] == 3 and len(actual["results"]) == 20


def test_genre_list_is_the_real_one(server: str, real_data: Path) -> None:
    actual = _get(server, "/genre/movie/list").json()
    assert actual == _sample(real_data, JDROUET, "genre-movie-list.json")


def test_error_bodies(server: str, real_data: Path) -> None:
    not_found = _get(server, "/movie/999999999")
    assert not_found.status_code == 404
    real = _sample(real_data, JDROUET, "resource-not-found.json")
    assert {k: v for k, v in not_found.json().items() if k != "success"} == real
    assert not_found.json()["success"] is False

    rejected = httpx.get(f"{server}/movie/550", headers={"Authorization": "Bearer wrong"}, timeout=30)
    assert rejected.status_code == 401
    assert rejected.json() == _sample(real_data, JDROUET, "invalid-api-key.json")

    bad_page = _get(server, "/discover/movie", page=501)
    assert bad_page.status_code == 400
    assert bad_page.json()["status_code"] == 22
    assert_shape(bad_page.json(), [_sample(real_data, JDROUET, "invalid-api-key.json")])

    tv = _get(server, "/tv/999999999")
    assert tv.status_code == 404 and tv.json()["status_code"] == 34
