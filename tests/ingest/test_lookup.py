"""The per-id look-up: direct /movie/{imdb_id}, the /find fallback and the switch to /find first."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from cinelake.config import Settings
from cinelake.ingest.lookup import Lookup
from cinelake.lake.layout import Kind
from cinelake.lake.manifest import Miss
from cinelake.tmdb.client import FindResult
from cinelake.tmdb.errors import TMDBNotFound


class FakeTMDB:
    """A TMDB that knows ``titles`` (IMDB id -> TMDB id); ``direct`` says if /movie takes IMDB ids."""

    def __init__(self, titles: dict[str, int], *, direct: bool = True, wrong: set[str] | None = None) -> None:
        self.titles = titles
        self.direct = direct
        self.wrong = wrong or set()  # IMDB ids /movie/{imdb_id} answers with another title
        self.calls: list[str] = []

    async def movie_details_by_imdb(self, imdb_id: str, append: Any = ()) -> dict[str, Any]:
        self.calls.append(f"movie/{imdb_id}")
        if imdb_id in self.wrong:
            return {"id": 1, "imdb_id": "tt0000001"}
        if not self.direct or imdb_id not in self.titles:
            raise TMDBNotFound("no such movie", status=404, tmdb_code=34)
        return {"id": self.titles[imdb_id], "imdb_id": imdb_id}

    async def find_by_imdb(self, imdb_id: str) -> FindResult:
        self.calls.append(f"find/{imdb_id}")
        found = self.titles.get(imdb_id)
        return FindResult(movie_ids=[found] if found else [], tv_ids=[])

    async def movie_details(self, movie_id: int, append: Any = ()) -> dict[str, Any]:
        self.calls.append(f"movie/{movie_id}")
        imdb = next(k for k, v in self.titles.items() if v == movie_id)
        return {"id": movie_id, "imdb_id": imdb}


def ids(n: int) -> list[str]:
    return [f"tt{1000 + i:07d}" for i in range(n)]


def run(lookup: Lookup, keys: list[str]) -> list[dict[str, Any] | Miss]:
    async def go() -> list[dict[str, Any] | Miss]:
        return [await lookup.record(key) for key in keys]

    return asyncio.run(go())


def test_one_request_per_found_movie_and_misses_keep_their_reason() -> None:
    keys = ids(30)
    tmdb = FakeTMDB({k: 100 + n for n, k in enumerate(keys[:25])}, wrong={keys[3]})
    tmdb.titles[keys[3]] = 103
    lookup = Lookup(tmdb, Kind.MOVIES, ("credits",), by_imdb=True)  # type: ignore[arg-type]
    records = run(lookup, keys)
    assert [r["id"] for r in records if isinstance(r, dict)] == list(range(100, 125))
    assert [m.reason for m in records if isinstance(m, Miss)] == ["no TMDB title"] * 5
    # 24 direct hits; the wrong answer and the 5 unknown ids fall back to /find (+ details for the found one).
    assert len(tmdb.calls) == 24 + 3 + 5 * 2
    assert lookup.summary()["mode"] == "direct"
    counts = lookup.counts
    assert (counts.direct_hits, counts.direct_misses, counts.found_after_miss) == (24, 6, 1)


def test_switches_to_find_when_the_first_20_direct_misses_are_all_found() -> None:
    keys = ids(50)
    tmdb = FakeTMDB({k: 100 + n for n, k in enumerate(keys)}, direct=False)
    lookup = Lookup(tmdb, Kind.MOVIES, (), by_imdb=True)  # type: ignore[arg-type]
    records = run(lookup, keys)
    assert all(isinstance(r, dict) for r in records)
    assert lookup.switched and "switched to /find first" in lookup.summary()["note"]
    # 20 ids cost three requests (direct miss, /find, details); the 30 after the switch cost two.
    assert len(tmdb.calls) == 20 * 3 + 30 * 2
    assert not any(c == f"movie/{keys[20]}" for c in tmdb.calls)


def test_a_real_miss_among_the_first_keeps_the_direct_path() -> None:
    keys = ids(50)
    tmdb = FakeTMDB({k: 100 + n for n, k in enumerate(keys) if n != 0}, direct=False)
    lookup = Lookup(tmdb, Kind.MOVIES, (), by_imdb=True)  # type: ignore[arg-type]
    run(lookup, keys)
    assert not lookup.switched and lookup.summary()["mode"] == "direct"


def test_series_and_known_ids_skip_the_direct_path() -> None:
    tmdb = FakeTMDB({"tt0000100": 7})
    movies = Lookup(tmdb, Kind.MOVIES, (), by_imdb=True)  # type: ignore[arg-type]
    record = asyncio.run(movies.record("tt0000100", 7))
    assert record == {"id": 7, "imdb_id": "tt0000100"} and tmdb.calls == ["movie/7"]
    series = Lookup(tmdb, Kind.SERIES, (), by_imdb=True)  # type: ignore[arg-type]
    assert series.mode == "find"


def test_against_a_server_that_takes_no_imdb_id_the_run_switches_to_find_and_says_so(
    tmp_path: Path, settings: Settings, server: str, known_ids: list[str]
) -> None:
    from datetime import date

    from cinelake.ingest.tmdb import TMDBIngestRequest, ingest_tmdb
    from cinelake.ingest.tmdb_runs import TmdbRunBook
    from cinelake.lake.store import Lake
    from cinelake.tmdb.server import configure
    from tests.ingest.conftest import write_movies_csv

    configure(server, movie_by_imdb=False)
    csv = write_movies_csv(tmp_path / "movies.csv", known_ids[:150], [])
    request = TMDBIngestRequest(day=date(2026, 11, 26), csv=str(csv), genres=("Comedy",), concurrency=1)
    result = ingest_tmdb(Lake(str(tmp_path / "lake")), request, settings)
    assert result.status == "complete" and result.written == 150
    # 20 ids cost a direct 404, /find and details; the 130 after the switch cost /find and details.
    assert result.requests == 20 * 3 + 130 * 2
    assert result.lookup["mode"] == "switched" and "switched to /find first" in result.lookup["note"]
    manifest = TmdbRunBook(Lake(str(tmp_path / "lake")), result.run_id).load_manifest()
    assert manifest is not None and manifest.lookup["mode"] == "switched"
