"""Fixtures of the TMDB tests: one offline server per session, reset before each test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cinelake.tmdb.server import configure, reset_stats, serve_in_thread

# Planted so a leak is unmistakable: no other text in a log or an error could contain it.
SERVER_TOKEN = "tok-8c1f0e2b9d7a4e55b1c3"


@pytest.fixture(scope="session")
def _server_url() -> Iterator[str]:
    with serve_in_thread(token=SERVER_TOKEN) as url:
        yield url


@pytest.fixture()
def server(_server_url: str) -> str:
    """The base URL (http://127.0.0.1:PORT/3) of a server with default options and empty statistics."""
    configure(
        _server_url,
        token=SERVER_TOKEN,
        rate_limit=None,
        latency_ms=0,
        fault_rate=0.0,
        script=[],
        sudden_401=False,
        retry_after_s=1,
        hang_s=30.0,
        tv_imdb_ids={},
        changes_per_day=0.0,
        changes_from=None,
        today=None,
        movie_by_imdb=True,
    )
    reset_stats(_server_url)
    return _server_url
