"""Fixtures of the reliability suite: an offline TMDB server in its own process, planted secrets, CSVs."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from cinelake.config import Settings
from cinelake.ingest.local_csv import MOVIES_COLUMNS, read_imdb_ids
from cinelake.ingest.tmdb import TMDBIngestRequest

# Planted, unique values: any appearance of them outside the request headers is a leak.
TOKEN = f"rel-token-{uuid.uuid4().hex}"
API_KEY = f"rel-key-{uuid.uuid4().hex[:24]}"
UNKNOWN_IDS = tuple(f"tt99999{n:02d}" for n in range(20))


def demo_csv() -> Path:
    return Path(str(resources.files("cinelake") / "data" / "demo_movies.csv"))


def write_movies_csv(path: Path, ids: list[str], genre: str = "Comedy") -> Path:
    """A CSV in the challenge's format (one row per title here; the reader dedupes ids anyway)."""
    lines = ["|".join(MOVIES_COLUMNS)]
    for imdb_id in ids:
        lines.append(
            f"{imdb_id}|T {imdb_id}|T|1999|90|{genre}|7.1|100|actor|\\N|A B|1970|\\N|actor|{imdb_id}"
        )
    path.write_bytes(("\n".join(lines) + "\n").encode())
    return path


def small_discover() -> TMDBIngestRequest:
    """A small discover run of the offline snapshot: every genre released in January-March 2000."""
    return TMDBIngestRequest(
        day=date(2026, 11, 26),
        source="discover",
        genres=("all",),
        release_from=date(2000, 1, 1),
        release_to=date(2000, 3, 31),
    )


def offline_settings(tmdb_url: str) -> Settings:
    """Settings for the offline server at ``tmdb_url``, with the token, unthrottled."""
    return Settings(tmdb_base_url=tmdb_url, tmdb_read_access_token=TOKEN, tmdb_rate_limit=0)


@pytest.fixture(scope="session")
def snapshot_imdb_ids() -> list[str]:
    """IMDB ids of the packaged demo CSV (most are in the offline snapshot)."""
    return read_imdb_ids(demo_csv(), "all")


@pytest.fixture(scope="session")
def ids_2000(snapshot_imdb_ids: list[str]) -> list[str]:
    """2,000 request ids: 1,980 from the snapshot's CSV and 20 that TMDB has no title for."""
    return sorted([*snapshot_imdb_ids[:1980], *UNKNOWN_IDS])


@pytest.fixture(scope="session")
def csv_2000(tmp_path_factory: pytest.TempPathFactory, ids_2000: list[str]) -> Path:
    return write_movies_csv(tmp_path_factory.mktemp("csv") / "movies.csv", ids_2000)


@pytest.fixture(scope="session")
def tmdb_process() -> Iterator[str]:
    """The offline TMDB server in a child process on 127.0.0.1 (its own GIL); yields its base URL."""
    from cinelake.tmdb.server import serve_in_subprocess

    with serve_in_subprocess(token=TOKEN, seed=11) as url:
        yield url


@pytest.fixture()
def tmdb(tmdb_process: str) -> Iterator[str]:
    """The shared server with fresh statistics, its options put back after each test."""
    from cinelake.tmdb.server import configure, reset_stats

    reset_stats(tmdb_process)
    yield tmdb_process
    configure(
        tmdb_process,
        fault_rate=0.0,
        latency_ms=0.0,
        rate_limit=None,
        script=[],
        path_faults={},
        sudden_401=False,
        seed=11,
    )
    reset_stats(tmdb_process)


@pytest.fixture()
def lambda_log() -> Iterator[io.StringIO]:
    """The handler's JSON log lines, in a buffer this test owns; the root logger is put back after."""
    from cinelake.aws import jsonlog

    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    buffer = io.StringIO()
    jsonlog.configure(stream=buffer)
    try:
        yield buffer
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved:
            root.addHandler(handler)
        root.setLevel(level)


@pytest.fixture(scope="session", autouse=True)
def _save_figures() -> Iterator[None]:
    from tests.reliability.figures import save

    yield
    save()
