"""A hostile TMDB stand-in: the offline server answering one path with a 400 MB body, a slow drip, a huge
error message, a malformed body or an absurd page count, for good (``path_faults``).

Each time the run ends with that id (or that listing step) failed with its reason, the others written,
and the process' memory and time bounded by the client's limits, not by what the server sends.
"""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import orjson
import pytest

from cinelake.ingest.tmdb_runs import TmdbRunBook
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from cinelake.tmdb.bodies import MAX_PAGES
from cinelake.tmdb.client import MAX_BODY_BYTES, TMDBClient
from cinelake.tmdb.errors import TMDBRequestError, TMDBResponseError
from cinelake.tmdb.server import configure, fetch_stats
from tests.reliability.cli import CINELAKE, cli_env
from tests.reliability.conftest import TOKEN, small_discover, write_movies_csv
from tests.reliability.figures import FIGURES
from tests.reliability.lakecheck import manifest_of

pytestmark = [pytest.mark.integration]

DAY = date(2026, 11, 26)
# Toy Story (tt0114709, TMDB 862) and four more titles of the offline snapshot.
BAD_IMDB, BAD_TMDB = "tt0114709", 862
GOOD_IMDB = ["tt0113497", "tt0113228", "tt0114885", "tt0113041"]


def client_for(url: str, *, timeout: float = 1.0, max_retries: int = 1) -> TMDBClient:
    """A client with short timeouts and backoff, unthrottled (the offline server is)."""
    return TMDBClient(
        url,
        TOKEN,
        rate_limit=None,
        timeout=timeout,
        max_retries=max_retries,
        backoff_base=0.05,
        backoff_max=0.1,
    )


def ingest_csv_in_child(tmp_path: Path, url: str) -> tuple[int, str, int, float]:
    """``cinelake ingest tmdb`` of the five ids in a child: exit code, stderr, peak RSS (KiB), seconds.

    The peak is the child's ``VmHWM`` (the high-water mark of its own memory since its exec), read from
    /proc while it runs: the rusage of a wait would also count the memory of the forked pytest process.
    """
    write_movies_csv(tmp_path / "movies.csv", [BAD_IMDB, *GOOD_IMDB])
    args = [
        CINELAKE, "ingest", "tmdb", "--from-csv", "movies.csv", "--lake", "lake", "--genres", "all",
        "--date", DAY.isoformat(),
    ]  # fmt: skip
    env = cli_env(
        {
            "TMDB_READ_ACCESS_TOKEN": TOKEN,
            "TMDB_BASE_URL": url,
            "CINELAKE_TMDB_TIMEOUT": "1",
            "CINELAKE_TMDB_MAX_RETRIES": "1",
        }
    )
    started = time.monotonic()
    peak = 0
    with (tmp_path / "stderr.txt").open("wb") as err:
        child = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=err)
        try:
            while child.poll() is None and time.monotonic() - started < 120:
                peak = max(peak, _high_water_kib(child.pid))
                time.sleep(0.02)
        finally:
            child.kill()
            child.wait()
    return child.returncode, (tmp_path / "stderr.txt").read_text(), peak, time.monotonic() - started


def _high_water_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)


def the_run(lake_root: Path) -> tuple[Lake, str]:
    lake = Lake(str(lake_root))
    runs = sorted(p.name for p in (lake_root / "Raw/TMDB/_runs").iterdir() if p.is_dir())
    assert len(runs) == 1, runs
    return lake, runs[0]


def test_a_400_mb_body_fails_that_id_only_in_bounded_memory(tmdb: str, tmp_path: Path) -> None:
    configure(tmdb, path_faults={f"/3/movie/{BAD_IMDB}": "huge"}, huge_bytes=400 * 1024 * 1024)
    code, stderr, peak_kib, seconds = ingest_csv_in_child(tmp_path, tmdb)
    assert code == 1, stderr[-2000:]
    lake, run = the_run(tmp_path / "lake")
    manifest = manifest_of(lake, run)
    assert manifest.counts.written == len(GOOD_IMDB)
    assert [f.id for f in manifest.failures] == [BAD_IMDB]
    assert f"{MAX_BODY_BYTES:,}-byte limit" in manifest.failures[0].error
    # The body is refused at 10 MB: the process never holds anything near the 400 MB the server sends.
    assert peak_kib < 250 * 1024, f"peak RSS {peak_kib} KiB"
    FIGURES["huge_body"] = {
        "body_bytes": 400 * 1024 * 1024,
        "limit_bytes": MAX_BODY_BYTES,
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "seconds": round(seconds, 2),
    }


def test_a_declared_huge_body_is_refused_before_reading_it(tmdb: str) -> None:
    configure(tmdb, path_faults={f"/3/movie/{BAD_TMDB}": "huge_declared"}, huge_bytes=400 * 1024 * 1024)

    async def fetch() -> None:
        async with client_for(tmdb) as client:
            await client.movie_details(BAD_TMDB)

    with pytest.raises(TMDBResponseError, match="Content-Length says 419,430,400 bytes"):
        asyncio.run(fetch())
    assert fetch_stats(tmdb)["requests"] == 1  # refused, not retried


def test_a_slow_drip_costs_one_deadline_per_attempt_then_fails_that_id(tmdb: str, tmp_path: Path) -> None:
    """One byte every 0.5 s never trips the 1 s read timeout; the 3 s deadline of an attempt does."""
    configure(tmdb, path_faults={f"/3/movie/{BAD_TMDB}": "drip"}, drip_interval_s=0.5, drip_s=20.0)

    async def fetch() -> tuple[float, BaseException | None]:
        async with client_for(tmdb, timeout=1.0, max_retries=1) as client:
            started = time.monotonic()
            outcomes = await asyncio.gather(
                client.movie_details(BAD_TMDB), client.movie_details(BAD_TMDB + 1), return_exceptions=True
            )
            assert isinstance(outcomes[1], dict), outcomes[1]
            error = outcomes[0]
            return time.monotonic() - started, error if isinstance(error, BaseException) else None

    seconds, error = asyncio.run(fetch())
    assert error is not None and "3 s deadline" in str(error) and "after 2 attempts" in str(error)
    FIGURES["slow_drip"] = {
        "byte_every_s": 0.5,
        "read_timeout_s": 1.0,
        "deadline_s": 3.0,
        "attempts": 2,
        "seconds_lost": round(seconds, 2),
    }


def test_a_huge_error_message_is_cut_in_the_checkpoint_and_the_manifest(tmdb: str, tmp_path: Path) -> None:
    from cinelake.ingest.tmdb import TMDBIngestRequest, ingest_tmdb_async

    configure(tmdb, path_faults={f"/3/movie/{BAD_IMDB}": "long_message"}, long_message_bytes=5 * 1024 * 1024)
    csv = write_movies_csv(tmp_path / "movies.csv", [BAD_IMDB, *GOOD_IMDB])
    lake = Lake(str(tmp_path / "lake"))
    request = TMDBIngestRequest(kind=Kind.MOVIES, day=DAY, source="csv", csv=str(csv), genres=("all",))
    result = asyncio.run(ingest_tmdb_async(lake, request, client=client_for(tmdb)))
    assert (result.written, result.failed) == (len(GOOD_IMDB), 1)
    error = manifest_of(lake, result.run_id).failures[0].error
    assert "HTTP 500" in error and "characters cut" in error and len(error) < 400
    book = TmdbRunBook(lake, result.run_id)
    kept = [book.manifest_path, book.checkpoint_path(1)]
    sizes = {rel: len(lake.read_bytes(rel)) for rel in kept}
    assert max(sizes.values()) < 20_000, sizes


def test_a_malformed_find_fails_its_id_not_the_run(tmdb: str, tmp_path: Path) -> None:
    """``{"id": "abc"}`` in ``movie_results``: the id fails with the reason, the others are written."""
    from cinelake.ingest.tmdb import TMDBIngestRequest, ingest_tmdb_async

    # The direct /movie/{imdb_id} answers 404, so the look-up asks /find, which answers nonsense.
    csv = write_movies_csv(tmp_path / "movies.csv", [BAD_IMDB, *GOOD_IMDB])
    configure(tmdb, path_faults={f"/3/find/{BAD_IMDB}": "malformed"}, movie_by_imdb=False)
    lake = Lake(str(tmp_path / "lake"))
    request = TMDBIngestRequest(kind=Kind.MOVIES, day=DAY, source="csv", csv=str(csv), genres=("all",))
    try:
        result = asyncio.run(ingest_tmdb_async(lake, request, client=client_for(tmdb)))
    finally:
        configure(tmdb, movie_by_imdb=True)
    assert (result.written, result.failed) == (len(GOOD_IMDB), 1)
    error = manifest_of(lake, result.run_id).failures[0].error
    assert "movie_results.0.id" in error and "'abc'" in error


def test_a_malformed_genre_list_fails_the_listing_step_not_the_run(tmdb: str, tmp_path: Path) -> None:
    """The genre list is the listing's first step: a bad one ends the attempt incomplete with its reason
    (no traceback, no plan), and the rerun, with TMDB well again, lists and fetches."""
    from cinelake.ingest.discover import discover_ids
    from cinelake.ingest.tmdb import ingest_tmdb_async

    configure(tmdb, path_faults={"/3/genre/movie/list": "malformed"})

    async def listing() -> set[int]:
        async with client_for(tmdb) as client:
            return await discover_ids(client, Kind.MOVIES, ["Comedy"], date(2000, 1, 1), date(2000, 1, 31))

    with pytest.raises(TMDBRequestError, match=r"failed at step genres: .*not what TMDB") as raised:
        asyncio.run(listing())
    assert "\n" not in str(raised.value) and "genres.0" in str(raised.value)

    lake = Lake(str(tmp_path / "lake"))
    request = dataclasses.replace(small_discover(), genres=("Comedy",))
    first = asyncio.run(ingest_tmdb_async(lake, request, client=client_for(tmdb)))
    assert first.status == "incomplete" and first.requested == 0
    assert list(first.listing["failed_steps"]) == ["genres"]
    assert manifest_of(lake, first.run_id).stats["listing"]["failed_steps"] == first.listing["failed_steps"]
    configure(tmdb, path_faults={})
    second = asyncio.run(ingest_tmdb_async(lake, request, client=client_for(tmdb)))
    assert second.status == "complete" and second.written > 0


def test_a_malformed_change_list_ends_the_incremental_attempt_with_its_reason(
    tmdb: str, tmp_path: Path
) -> None:
    """Day 2 of an incremental run asks /movie/changes; a bad page there makes no plan (so nothing is
    fetched on a wrong selection), ends the attempt incomplete with the reason, and the rerun plans."""
    from cinelake.ingest.tmdb import ingest_tmdb_async

    lake = Lake(str(tmp_path / "lake"))
    day1 = dataclasses.replace(small_discover(), incremental=True)
    assert asyncio.run(ingest_tmdb_async(lake, day1, client=client_for(tmdb))).status == "complete"
    day2 = dataclasses.replace(day1, day=day1.day + timedelta(days=1))
    configure(tmdb, path_faults={"/3/movie/changes": "malformed"})
    first = asyncio.run(ingest_tmdb_async(lake, day2, client=client_for(tmdb)))
    assert first.status == "incomplete" and first.requested == 0
    reason = first.listing["failed_steps"]["changes"]
    assert "results.0.id" in reason and "\n" not in reason and len(reason) < 400
    configure(tmdb, path_faults={})
    second = asyncio.run(ingest_tmdb_async(lake, day2, client=client_for(tmdb)))
    assert second.status == "complete"


def test_a_malformed_discover_page_fails_that_step_not_the_run(tmdb: str, tmp_path: Path) -> None:
    """The run's listing keeps its other steps, ends incomplete with the step's reason; the rerun resumes."""
    from cinelake.ingest.tmdb import ingest_tmdb_async

    lake = Lake(str(tmp_path / "lake"))
    request = small_discover()  # every genre released in January-March 2000: one listing step
    configure(tmdb, path_faults={"/3/discover/movie": "malformed"})
    first = asyncio.run(ingest_tmdb_async(lake, request, client=client_for(tmdb)))
    assert first.status == "incomplete" and first.requested == 0
    failed = first.listing["failed_steps"]
    assert list(failed) == ["w-20000101-20000331"]
    assert "results.0.id" in failed["w-20000101-20000331"]
    stored = manifest_of(lake, first.run_id).stats["listing"]["failed_steps"]
    assert stored == failed
    configure(tmdb, path_faults={})
    second = asyncio.run(ingest_tmdb_async(lake, request, client=client_for(tmdb)))
    assert second.status == "complete" and second.written > 0


def test_an_absurd_total_pages_reads_no_page_past_500(tmdb: str) -> None:
    configure(
        tmdb,
        path_faults={"/3/movie/changes": "absurd_pages"},
        absurd_total_pages=100_000,
        changes_per_day=0.5,
        today=DAY.isoformat(),
    )
    try:

        async def changes() -> list[int]:
            async with client_for(tmdb) as client:
                return await asyncio.wait_for(client.movie_changes(DAY, DAY), 120)

        ids = asyncio.run(changes())
    finally:
        configure(tmdb, changes_per_day=0.0, today=None)
    stats = fetch_stats(tmdb)
    assert ids and stats["requests"] == MAX_PAGES
    FIGURES["absurd_total_pages"] = {"total_pages_said": 100_000, "requests": stats["requests"]}


def test_the_hostile_bodies_are_what_they_claim(tmdb: str) -> None:
    """The server's hostile answers themselves: a 400 MB body streamed whole, a malformed /find."""
    import httpx

    configure(
        tmdb, path_faults={"/3/movie/1": "huge", "/3/find/tt1": "malformed"}, huge_bytes=50 * 1024 * 1024
    )
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.stream("GET", f"{tmdb}/movie/1", headers=headers) as response:
        assert "content-length" not in response.headers
        size = sum(len(chunk) for chunk in response.iter_raw())
    assert size == 50 * 1024 * 1024
    found = httpx.get(f"{tmdb}/find/tt1", headers=headers).json()
    assert found["movie_results"] == [{"id": "abc"}]
    assert orjson.loads(orjson.dumps(found))  # a JSON object, just not TMDB's shape
