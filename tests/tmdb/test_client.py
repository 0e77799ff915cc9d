"""The TMDB client against the offline server on 127.0.0.1: retries, Retry-After, auth, misses, secrets.

Waits are checked in the server's request log (when each attempt arrived), never with a wall-clock assertion.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest

from cinelake.errors import ConfigError
from cinelake.tmdb.client import TMDBClient
from cinelake.tmdb.errors import TMDBAuthError, TMDBNotFound, TMDBRequestError, TMDBResponseError
from cinelake.tmdb.server import configure, fetch_stats
from tests.tmdb.conftest import SERVER_TOKEN

pytestmark = pytest.mark.integration


def _client(server: str, **options: Any) -> TMDBClient:
    options.setdefault("read_access_token", SERVER_TOKEN)
    options.setdefault("rate_limit", None)
    options.setdefault("backoff_base", 0.02)
    options.setdefault("seed", 7)
    return TMDBClient(server, **options)


def _run(server: str, use: Callable[[TMDBClient], Awaitable[Any]], **options: Any) -> tuple[Any, TMDBClient]:
    client = _client(server, **options)

    async def go() -> Any:
        async with client:
            return await use(client)

    return asyncio.run(go()), client


def _log(server: str) -> list[dict[str, Any]]:
    return [e for e in fetch_stats(server, log=True)["log"] if e["path"].startswith("/3/")]


def test_endpoints(server: str) -> None:
    async def use(client: TMDBClient) -> tuple[Any, ...]:
        found = await client.find_by_imdb("tt0114709")
        movie = await client.movie_details(found.movie_ids[0])
        genres = await client.movie_genres()
        page = await client.discover_movies(
            with_genres=f"{genres['Animation']}|{genres['Comedy']}",
            release_gte=date(1995, 1, 1),
            release_lte=date(1995, 12, 31),
        )
        missing = await client.find_by_imdb("tt9999999")
        return found, movie, genres, page, missing

    (found, movie, genres, page, missing), client = _run(server, use)
    assert found.movie_ids == [862] and found.tv_ids == [] and found.found
    assert movie["imdb_id"] == "tt0114709" and movie["credits"]["cast"][0]["name"] == "Tom Hanks"
    assert genres["Animation"] == 16 and genres["Comedy"] == 35
    assert page["results"] and all("1995-" in m["release_date"] for m in page["results"])
    assert not missing.found
    assert client.stats.requests == 5 and client.stats.retries == 0


def test_429_retry_after_is_honoured(server: str) -> None:
    configure(server, script=["429"], retry_after_s=1)
    movie, client = _run(server, lambda c: c.movie_details(862, append=()))
    assert movie["id"] == 862
    first, second = _log(server)
    assert (first["status"], first["fault"], second["status"]) == (429, "429", 200)
    assert second["t"] - first["t"] >= 1.0  # the retry waited at least Retry-After
    assert client.stats.throttled == 1 and client.stats.retries == 1


def test_429_without_retry_after_and_5xx_are_retried(server: str) -> None:
    configure(server, script=["429_no_retry_after", "500", "502", "503", "504"])
    movie, client = _run(server, lambda c: c.movie_details(862))
    assert movie["id"] == 862
    assert [e["status"] for e in _log(server)] == [429, 500, 502, 503, 504, 200]
    assert client.stats.retries == 5 and client.stats.failures == 0


def test_reset_truncated_and_not_json_are_retried(server: str) -> None:
    configure(server, script=["reset", "truncated", "not_json"])
    movie, client = _run(server, lambda c: c.movie_details(862))
    assert movie["id"] == 862 and movie["budget"] == 30_000_000
    assert [e["fault"] for e in _log(server)] == ["reset", "truncated", "not_json", None]
    # aiohttp itself resends an idempotent request once when the connection drops before any response, so
    # the reset may or may not count as one of the client's own retries.
    assert client.stats.retries >= 2


def test_a_hang_past_the_timeout_is_retried(server: str) -> None:
    configure(server, script=["hang"], hang_s=20)
    movie, client = _run(server, lambda c: c.movie_details(862), timeout=0.5)
    assert movie["id"] == 862
    assert [e["fault"] for e in _log(server)] == ["hang", None]
    assert client.stats.retries == 1


def test_gives_up_after_max_retries(server: str) -> None:
    configure(server, script=["503", "503", "503", "503"])
    with pytest.raises(TMDBRequestError, match="after 3 attempts") as caught:
        _run(server, lambda c: c.movie_details(862), max_retries=2)
    assert caught.value.status == 503
    assert len(_log(server)) == 3


def test_a_body_that_stays_broken_is_a_response_error(server: str) -> None:
    configure(server, script=["not_json", "not_json"])
    with pytest.raises(TMDBResponseError, match="not JSON"):
        _run(server, lambda c: c.movie_details(862), max_retries=1)


def test_401_is_not_retried(server: str) -> None:
    configure(server, sudden_401=True)
    with pytest.raises(TMDBAuthError) as caught:
        _run(server, lambda c: c.movie_details(862))
    assert "TMDB rejected the credentials (status_code 7: Invalid API key" in str(caught.value)
    assert (caught.value.status, caught.value.tmdb_code, caught.value.exit_code) == (401, 7, 2)
    assert len(_log(server)) == 1


def test_404_is_a_miss_without_retry(server: str) -> None:
    client = _client(server)

    async def use() -> None:
        async with client:
            with pytest.raises(TMDBNotFound) as caught:
                await client.movie_details(999_999_999)
            assert caught.value.tmdb_code == 34
            with pytest.raises(TMDBNotFound):
                await client.tv_details(999_999_998)

    asyncio.run(use())
    assert len(_log(server)) == 2
    assert client.stats.not_found == 2 and client.stats.retries == 0 and client.stats.failures == 0


def test_bearer_and_api_key(server: str) -> None:
    bearer, client = _run(server, lambda c: c.check_auth())
    assert bearer.ok and client.auth_method == "bearer"
    by_key, client = _run(server, lambda c: c.check_auth(), read_access_token=None, api_key=SERVER_TOKEN)
    assert by_key.ok and client.auth_method == "api_key"
    wrong, _ = _run(server, lambda c: c.check_auth(), read_access_token="not-the-token-123")
    assert not wrong.ok and wrong.status == 401 and wrong.tmdb_code == 7
    with pytest.raises(TMDBAuthError):
        _run(server, lambda c: c.movie_details(862), read_access_token=None, api_key="not-the-key-456")


def test_the_secret_never_reaches_logs_or_errors(server: str, caplog: pytest.LogCaptureFixture) -> None:
    planted_wrong = "wrongkey-5f0c9a7e31d24b68"
    caplog.set_level(logging.DEBUG)
    # The ingestion's progress display quiets httpx for a whole process; this test needs its lines.
    caplog.set_level(logging.DEBUG, logger="httpx")
    errors: list[BaseException] = []

    async def use(client: TMDBClient) -> None:
        configure(server, script=["503", "reset", "not_json"])
        await client.movie_details(862)  # succeeds on the 4th attempt
        try:
            await client.movie_details(999_999_999)
        except TMDBNotFound as exc:
            errors.append(exc)
        configure(server, script=["truncated", "503", "503", "503"])
        try:
            await client.movie_details(862)  # gives up
        except TMDBRequestError as exc:
            errors.append(exc)

    _run(server, use, read_access_token=None, api_key=SERVER_TOKEN, max_retries=3)
    try:
        _run(server, lambda c: c.movie_details(862), read_access_token=None, api_key=planted_wrong)
    except TMDBAuthError as exc:
        errors.append(exc)
    assert [type(e) for e in errors] == [TMDBNotFound, TMDBRequestError, TMDBAuthError]
    assert "api_key=***" in caplog.text  # httpx did log the URLs, masked
    assert any("retrying GET /movie/862" in r.getMessage() for r in caplog.records)
    for secret in (SERVER_TOKEN, planted_wrong):
        assert secret not in caplog.text
        assert all(secret not in r.getMessage() for r in caplog.records)
        for exc in errors:
            assert secret not in str(exc) and secret not in repr(exc)
            assert secret not in "".join(traceback.format_exception(exc))


def test_client_rate_limit_measured_at_the_server(server: str) -> None:
    configure(server, rate_limit=27)  # the server would answer 429 if the client went faster than that

    async def use(client: TMDBClient) -> None:
        await asyncio.gather(*(client.movie_details(862, append=()) for _ in range(75)))

    _, client = _run(server, use, rate_limit=25)
    stats = fetch_stats(server, log=True)
    assert stats["by_status"] == {"200": 75}
    # The client starts at most 25 in any second; arrivals the server's loop takes in together (a busy
    # machine stalls it now and then) may add a few to a window.
    assert stats["peak_per_second"] <= 25 + 5
    arrivals = [e["t"] for e in stats["log"]]
    assert max(arrivals) - min(arrivals) >= (75 - 26) / 25 - 0.1  # 75 requests at 25/s span about 2 s
    assert client.stats.throttled == 0


def test_at_most_max_connections_in_flight(server: str) -> None:
    configure(server, latency_ms=100)

    async def use(client: TMDBClient) -> None:
        await asyncio.gather(*(client.movie_details(862, append=()) for _ in range(120)))

    _run(server, use)
    peak = fetch_stats(server)["peak_in_flight"]
    assert 10 <= peak <= 20  # concurrent, never past the pool


def test_configuration_errors() -> None:
    with pytest.raises(ConfigError, match="TMDB_READ_ACCESS_TOKEN"):
        TMDBClient("http://127.0.0.1:9/3")
    with pytest.raises(ConfigError, match="max_connections"):
        TMDBClient("http://127.0.0.1:9/3", read_access_token="x", max_connections=21)
