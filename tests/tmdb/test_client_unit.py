"""Client pieces that need no server: Retry-After parsing, backoff, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from pydantic import SecretStr

from cinelake.config import Settings
from cinelake.tmdb.client import TMDBClient, parse_retry_after


def test_parse_retry_after() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    in_ten = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    assert 8.0 <= (parse_retry_after(in_ten) or 0) <= 10.0


def test_backoff_is_full_jitter_and_respects_retry_after() -> None:
    client = TMDBClient(
        "http://127.0.0.1:9/3", read_access_token="x", backoff_base=0.5, backoff_max=4, seed=1
    )
    delays = [client._delay(attempt, None) for attempt in range(8) for _ in range(50)]
    assert all(0 <= d <= 4 for d in delays)
    assert max(delays) > 2  # grows with the attempt
    assert all(client._delay(a, 2.0) >= 2.0 for a in range(8))


def test_from_settings() -> None:
    settings = Settings.model_validate(
        {"tmdb_api_key": SecretStr("k" * 32), "tmdb_base_url": "http://127.0.0.1:9/3/", "tmdb_rate_limit": 12}
    )
    client = TMDBClient.from_settings(settings, max_retries=2)
    assert client.base_url == "http://127.0.0.1:9/3"
    assert client.auth_method == "api_key" and client.rate_limit == 12 and client.max_retries == 2
    assert "k" * 32 not in repr(vars(client).get("stats"))


def test_the_http_client_keeps_no_cookies() -> None:
    import asyncio

    import httpx

    from cinelake.tmdb.transport import LeanAsyncClient

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"ok": True}, headers={"Set-Cookie": "session=abc; Path=/"})

    async def go() -> tuple[int, dict[str, str]]:
        async with LeanAsyncClient(transport=httpx.MockTransport(handler)) as client:
            first = await client.get("http://tmdb.test/3/movie/1")
            second = await client.get("http://tmdb.test/3/movie/2")
            return first.status_code, dict(second.request.headers)

    status, sent = asyncio.run(go())
    assert status == 200 and "cookie" not in sent
