"""TMDB faults at 5%, 20% and 50% over 2,021 ids, a sudden 401, and the client's limits seen at the server.

The fault runs list their ids with ``/discover/movie`` (every title released 1995-2003 in the offline
snapshot: 2,021 ids, one detail request each). Every run goes to a fresh local lake against the
offline server (a child process) and ends with the
same checks: every file parses, no temp file is left, every title is in the lake once, and every
requested id is either written, a miss with its reason or a failure with its error. A run left
incomplete by failures is rerun without faults; the lake must then equal a clean run's, byte for byte.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cinelake.config import Settings
from cinelake.ingest.tmdb import (
    IngestProgress,
    IngestResult,
    TMDBIngestRequest,
    ingest_tmdb,
    ingest_tmdb_async,
)
from cinelake.ingest.tmdb_runs import TmdbRunBook
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from cinelake.tmdb.errors import TMDBAuthError, TMDBRequestError, TMDBResponseError
from cinelake.tmdb.server import configure, fetch_stats
from tests.reliability.conftest import TOKEN, UNKNOWN_IDS, write_movies_csv
from tests.reliability.figures import FIGURES
from tests.reliability.lakecheck import (
    accounted_ids,
    assert_every_title_once,
    file_tree,
    manifest_of,
    temp_files,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAY = date(2026, 11, 26)
# Every fault kind, "hang" included (it costs the client one timeout, kept short here).
FAULT_MIX = {
    "429": 0.05,  # each one pauses the whole client for Retry-After (1 s); a few go in by script too
    "429_no_retry_after": 1.0,
    "500": 1.0,
    "502": 1.0,
    "503": 1.0,
    "504": 1.0,
    "reset": 1.0,
    "hang": 0.3,
    "truncated": 1.0,
    "not_json": 1.0,
}


DISCOVER_IDS = 2021


def discover_request() -> TMDBIngestRequest:
    return TMDBIngestRequest(
        kind=Kind.MOVIES,
        day=DAY,
        source="discover",
        genres=("all",),
        release_from=date(1995, 1, 1),
        release_to=date(2003, 12, 31),
    )


def csv_request(csv: Path) -> TMDBIngestRequest:
    return TMDBIngestRequest(kind=Kind.MOVIES, day=DAY, source="csv", csv=str(csv), genres=("all",))


def settings_for(url: str, **changes: Any) -> Settings:
    base: dict[str, Any] = {
        "tmdb_base_url": url,
        "tmdb_read_access_token": TOKEN,
        "tmdb_rate_limit": 0,  # no client-side limit: the offline server is unthrottled
        "tmdb_timeout": 1.0,
        "tmdb_max_retries": 8,  # at a 50% fault rate, 0.5**9 of the requests still fail: a few
    }
    return Settings(**{**base, **changes})


def fast_retry_ingest(lake: Lake, request: TMDBIngestRequest, url: str) -> IngestResult:
    """The job with a client whose backoff is short (50 ms base, 1 s cap): at a 50% fault rate the
    default backoff (0.5 s base, 30 s cap) makes each chunk wait for its unluckiest id for minutes.
    Retry-After is still honoured in full."""
    from cinelake.tmdb.client import TMDBClient

    client = TMDBClient(
        url, TOKEN, rate_limit=None, timeout=1.0, max_retries=8, backoff_base=0.05, backoff_max=1.0
    )
    return asyncio.run(ingest_tmdb_async(lake, request, client=client))


def check_run(lake: Lake, root: Path, result: IngestResult, ids: list[str] | None = None) -> None:
    """Files parse, titles once, no temp file; every id of the plan (or ``ids``) accounted for."""
    manifest = manifest_of(lake, result.run_id)
    assert manifest.status == result.status
    plan = TmdbRunBook(lake, result.run_id).load_plan()
    assert plan is not None
    wanted = set(ids if ids is not None else plan.ids)
    assert manifest.counts.requested == len(wanted)
    files = assert_every_title_once(lake, manifest)
    assert accounted_ids(lake, manifest, files, csv=ids is not None) == wanted
    assert temp_files(root) == []


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory, tmdb_process: str) -> dict[str, bytes]:
    """The Raw files of the discover run without faults: what every faulty run must end up with."""
    root = tmp_path_factory.mktemp("clean") / "lake"
    lake = Lake(str(root))
    result = ingest_tmdb(lake, discover_request(), settings_for(tmdb_process))
    assert (result.status, result.failed, result.requested) == ("complete", 0, DISCOVER_IDS)
    assert result.written == DISCOVER_IDS
    check_run(lake, root, result)
    return file_tree(root, skip=("Raw/TMDB/_runs",))


def run_until_complete(
    lake: Lake, request: TMDBIngestRequest, settings: Settings, root: Path, ids: list[str] | None = None
) -> tuple[IngestResult, int]:
    """Rerun (faults off) until the run completes; every attempt is checked. Returns (last, attempts)."""
    result = ingest_tmdb(lake, request, settings)
    attempts = 1
    check_run(lake, root, result, ids)
    while result.status != "complete" and attempts < 3:
        result = ingest_tmdb(lake, request, settings)
        attempts += 1
        check_run(lake, root, result, ids)
    return result, attempts


@pytest.mark.parametrize("rate", [0.05, 0.20, 0.50])
def test_fault_mix_loses_nothing(rate: float, tmdb: str, tmp_path: Path, clean_run: dict[str, bytes]) -> None:
    root = tmp_path / "lake"
    lake = Lake(str(root))
    # Two 429s with Retry-After first (the mix gives them little weight: each one pauses the client).
    configure(
        tmdb,
        fault_rate=rate,
        fault_mix=FAULT_MIX,
        script=["429", "429"],
        hang_s=3.0,
        retry_after_s=1,
        seed=int(rate * 100),
    )
    try:
        first: IngestResult | None = fast_retry_ingest(lake, discover_request(), tmdb)
    except (TMDBRequestError, TMDBResponseError) as exc:
        # A genre list that fails all its attempts stops the run with one line; the rerun starts it again.
        assert "\n" not in str(exc) and TOKEN not in str(exc)
        first = None
    if first is not None and first.listing.get("failed_steps"):
        # A /discover page that fails all its attempts (0.5**9 a page at 50%: which page draws which
        # fault depends on timing) fails its listing step; the attempt ends without a plan and the
        # rerun resumes the listing.
        assert first.status == "incomplete" and TOKEN not in str(first.listing)
        first = None
    stats = fetch_stats(tmdb)
    if first is not None:
        assert sum(stats["faults"].values()) >= rate * DISCOVER_IDS * 0.8
        check_run(lake, root, first)
        assert first.failed == len(first.failures)
        assert (first.status == "complete") == (first.failed == 0)
    else:
        assert rate >= 0.5, "a listing page failed 9 times in a row at a low fault rate"
    configure(tmdb, fault_rate=0.0)
    result, attempts = run_until_complete(lake, discover_request(), settings_for(tmdb), root)
    assert result.status == "complete"
    assert file_tree(root, skip=("Raw/TMDB/_runs",)) == clean_run
    FIGURES[f"faults_{int(rate * 100)}"] = {
        "ids": DISCOVER_IDS,
        "requests": stats["requests"],
        "faults": sum(stats["faults"].values()),
        "by_kind": stats["faults"],
        "failed_first_attempt": first.failed if first is not None else "listing stopped",
        "attempts": attempts + 1,
        "lost": 0,
    }


def test_sudden_401_stops_the_run_keeps_what_was_written_and_a_rerun_completes(
    tmdb: str, tmp_path: Path, clean_run: dict[str, bytes]
) -> None:
    root = tmp_path / "lake"
    lake = Lake(str(root))
    revoked = False

    def revoke_part_way(progress: IngestProgress) -> None:
        nonlocal revoked
        if not revoked and progress.done >= 700:
            revoked = True
            configure(tmdb, sudden_401=True)

    request = discover_request()
    with pytest.raises(TMDBAuthError) as raised:
        ingest_tmdb(lake, request, settings_for(tmdb), progress=revoke_part_way)
    message = str(raised.value)
    assert "\n" not in message and "rejected the credentials" in message
    assert TOKEN not in message
    stopped = manifest_of(lake, request.run_id)
    assert stopped.status == "incomplete"
    assert 0 < stopped.chunks_done < stopped.chunks_total
    # Every visible file is the manifest's (a chunk cut off by the 401 is still written and
    # checkpointed), whole, and holds each title once.
    files = assert_every_title_once(lake, stopped)
    assert temp_files(root) == []
    # What the stopped run kept is exactly what a clean run wrote for those chunks.
    assert all(clean_run[rel] == lake.read_bytes(rel) for rel in files)

    configure(tmdb, sudden_401=False)
    result = ingest_tmdb(lake, request, settings_for(tmdb))
    assert result.status == "complete"
    assert result.chunks_skipped == stopped.chunks_done
    check_run(lake, root, result)
    assert file_tree(root, skip=("Raw/TMDB/_runs",)) == clean_run
    FIGURES["sudden_401"] = {"kept_chunks": stopped.chunks_done, "chunks": stopped.chunks_total, "lost": 0}


def test_the_client_keeps_its_rate_and_connection_limits_under_faults(
    tmdb: str, tmp_path: Path, snapshot_imdb_ids: list[str]
) -> None:
    """A CSV run (find + details per id, misses included) with a client rate limit, 20% faults and
    server latency, so the connections really overlap: the server never sees more than the limits."""
    rate, connections = 50.0, 4
    ids = sorted([*snapshot_imdb_ids[100:390], *UNKNOWN_IDS[:10]])
    csv = write_movies_csv(tmp_path / "movies.csv", ids)
    root = tmp_path / "lake"
    lake = Lake(str(root))
    configure(tmdb, fault_rate=0.2, fault_mix=FAULT_MIX, hang_s=3.0, latency_ms=20, seed=3)
    settings = settings_for(tmdb, tmdb_rate_limit=rate, tmdb_max_connections=connections)
    first = ingest_tmdb(lake, csv_request(csv), settings)
    stats = fetch_stats(tmdb)
    check_run(lake, root, first, ids)
    configure(tmdb, fault_rate=0.0, latency_ms=0)
    result, _ = run_until_complete(lake, csv_request(csv), settings, root, ids)
    assert result.status == "complete" and result.not_found >= 10
    assert stats["requests"] > 290 + 2 * 10  # one request per title, two per unknown id, and retries
    assert stats["peak_in_flight"] <= connections
    # The server's window is a sliding second; allow 10% for the jitter between
    # the client's slot and the request's arrival (seen: 49 to 52 at 50/s).
    assert stats["peak_per_second"] <= rate * 1.1
    FIGURES["limits"] = {
        "client_rate": rate,
        "client_connections": connections,
        "server_peak_per_second": stats["peak_per_second"],
        "server_peak_in_flight": stats["peak_in_flight"],
        "requests": stats["requests"],
        "faults": sum(stats["faults"].values()),
    }
