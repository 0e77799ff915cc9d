"""Fixtures for the ingestion tests: the offline TMDB server, a small challenge-format CSV, settings."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from cinelake.config import Settings
from cinelake.ingest.local_csv import MOVIES_COLUMNS, SERIES_COLUMNS, read_imdb_ids

TOKEN = "offline-test-token-5f3a9c"
UNKNOWN_IDS = ("tt9999990", "tt9999991", "tt9999992")


def demo_csv() -> Path:
    return Path(str(resources.files("cinelake") / "data" / "demo_movies.csv"))


def write_movies_csv(path: Path, comedy_ids: list[str], other_ids: list[str]) -> Path:
    """A CSV in the challenge's format: two rows per title (one per artist), CRLF, like the real files."""
    lines = ["|".join(MOVIES_COLUMNS)]
    for imdb_id, genre in [(i, "Comedy,Drama") for i in comedy_ids] + [(i, "Drama") for i in other_ids]:
        for artist in ('Ann "Q" Lee', "Bo Ek"):
            lines.append(
                f"{imdb_id}|Title {imdb_id}|Title|1999|90|{genre}|7.1|100|actress|\\N|{artist}|1970|"
                f"\\N|actress|{imdb_id}"
            )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def write_series_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    """A series CSV in the challenge's format (``anoTermino`` after the start year): (IMDB id, genres)."""
    lines = ["|".join(SERIES_COLUMNS)]
    for imdb_id, genre in rows:
        for artist in ("Ann Lee", "Bo Ek"):
            lines.append(
                f"{imdb_id}|Show {imdb_id}|Show|1999|2005|22|{genre}|8.1|900|actress|\\N|{artist}|1970|"
                f"\\N|actress|{imdb_id}"
            )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


@pytest.fixture(scope="session")
def known_ids() -> list[str]:
    """IMDB ids the offline snapshot has (from the packaged demo CSV)."""
    ids = read_imdb_ids(demo_csv(), "all")
    return ids[100:]  # past the oldest titles, which include the ids TMDB does not have


@pytest.fixture()
def small_csv(tmp_path: Path, known_ids: list[str]) -> Path:
    """227 Comedy ids (224 in the snapshot + 3 unknown: 3 chunks) and 40 Drama ids the run must skip."""
    comedy = known_ids[:224] + list(UNKNOWN_IDS)
    return write_movies_csv(tmp_path / "movies.csv", comedy, known_ids[224:264])


@pytest.fixture(scope="session")
def tmdb_server() -> Iterator[str]:
    """The offline TMDB server in a thread on 127.0.0.1; yields its base URL (.../3)."""
    from cinelake.tmdb.server import serve_in_thread

    with serve_in_thread(token=TOKEN) as url:
        yield url


@pytest.fixture()
def server(tmdb_server: str) -> Iterator[str]:
    """The shared server, with its options put back after each test."""
    from cinelake.tmdb.server import configure

    yield tmdb_server
    configure(
        tmdb_server,
        fault_rate=0.0,
        latency_ms=0.0,
        rate_limit=None,
        script=[],
        sudden_401=False,
        retry_after_s=1,
        tv_imdb_ids={},
        changes_per_day=0.0,
        changes_from=None,
        today=None,
        movie_by_imdb=True,
    )


@pytest.fixture()
def settings(server: str) -> Settings:
    return Settings(
        tmdb_base_url=server,
        tmdb_read_access_token=TOKEN,
        tmdb_rate_limit=10_000,
        tmdb_max_retries=3,
        tmdb_timeout=10,
    )
