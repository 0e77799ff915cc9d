"""The TMDB ingestion job end to end, against the offline TMDB server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from pathlib import Path

import orjson
import pytest

from cinelake.config import Settings
from cinelake.errors import UsageError
from cinelake.ingest import discover
from cinelake.ingest.tmdb import IngestProgress, IngestResult, TMDBIngestRequest, ingest_tmdb
from cinelake.ingest.tmdb_runs import TmdbRunBook
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from tests.ingest.conftest import TOKEN, UNKNOWN_IDS, write_movies_csv

pytestmark = pytest.mark.integration

DAY = date(2026, 11, 26)


def csv_request(csv: Path, **changes: object) -> TMDBIngestRequest:
    fields: dict[str, object] = {"kind": Kind.MOVIES, "day": DAY, "source": "csv", "csv": str(csv)}
    fields["genres"] = ("Comedy",)
    return TMDBIngestRequest(**{**fields, **changes})  # type: ignore[arg-type]


def records_by_file(lake: Lake) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for rel in lake.list_files("Raw/TMDB"):
        out[rel] = [orjson.loads(line) for line in lake.read_bytes(rel).splitlines()]
    return out


def all_records(lake: Lake) -> list[dict[str, object]]:
    return [r for rows in records_by_file(lake).values() for r in rows]


def assert_lake_holds_run_once(lake: Lake, result: IngestResult) -> None:
    """Every visible file is listed and intact, each title appears once, nothing else is there."""
    files = records_by_file(lake)
    assert sorted(files) == sorted(result.files)
    ids = [r["id"] for rows in files.values() for r in rows]
    assert len(ids) == len(set(ids)) == result.written
    for rel, rows in files.items():
        assert 1 <= len(rows) <= 100, rel
    hidden = [p for p in lake.list_files("Raw/TMDB/JSON", include_hidden=True) if "/." in p]
    assert hidden == []


def test_csv_ingest_into_a_local_folder(tmp_path: Path, small_csv: Path, settings: Settings) -> None:
    lake = Lake(str(tmp_path / "lake"))
    seen: list[IngestProgress] = []
    result = ingest_tmdb(lake, csv_request(small_csv), settings, progress=seen.append)
    assert result.status == "complete"
    assert (result.requested, result.written, result.not_found, result.failed) == (227, 224, 3, 0)
    assert result.chunks_total == 3 and len(result.files) == 3
    assert sorted(m.id for m in result.first_misses) == list(UNKNOWN_IDS)
    assert all("no TMDB title" in m.reason for m in result.first_misses)
    assert_lake_holds_run_once(lake, result)
    records = all_records(lake)
    csv_ids = {line.split("|")[0] for line in small_csv.read_text().splitlines()}
    assert {r["imdb_id"] for r in records} <= csv_ids
    assert all("external_ids" in r for r in records)  # append_to_response reached the server
    assert any("credits" in r for r in records)
    assert seen[-1].done == seen[-1].total == 227
    # The manifest: parameters, counts, every file with its checksum; never the token.
    book = TmdbRunBook(lake, result.run_id)
    manifest = book.load_manifest()
    assert manifest is not None and manifest.status == "complete"
    assert manifest.counts.model_dump() == {"requested": 227, "written": 224, "not_found": 3, "failed": 0}
    assert manifest.parameters["genres"] == ["Comedy"]
    for entry in manifest.files:
        assert lake.sha256(entry.path) == entry.sha256
    for rel in lake.list_files("", include_hidden=True):
        assert TOKEN.encode() not in lake.read_bytes(rel), rel


def test_rerun_skips_done_chunks_and_refresh_fetches_again(
    tmp_path: Path, small_csv: Path, settings: Settings
) -> None:
    lake = Lake(str(tmp_path / "lake"))
    first = ingest_tmdb(lake, csv_request(small_csv), settings)
    before = {rel: lake.read_bytes(rel) for rel in first.files}
    again = ingest_tmdb(lake, csv_request(small_csv), settings)
    assert (again.run_id, again.status) == (first.run_id, "complete")
    assert (again.requests, again.chunks_skipped) == (0, 3)
    assert {rel: lake.read_bytes(rel) for rel in again.files} == before
    refreshed = ingest_tmdb(lake, csv_request(small_csv, refresh=True), settings)
    # One /movie/{imdb_id} per found title; each of the 3 unknown ids also asks /find.
    assert refreshed.requests == 224 + 2 * 3 and refreshed.chunks_skipped == 0
    assert sorted(refreshed.files) == sorted(before)
    assert_lake_holds_run_once(lake, refreshed)


def test_misses_past_the_first_hundred_are_in_the_runs_misses_file_across_attempts(
    tmp_path: Path, known_ids: list[str], settings: Settings
) -> None:
    """250 unknown ids among 50 known: the manifest shows 100 misses, misses.jsonl has all 250 in
    chunk order, and an attempt that skips the done chunks still lists their misses."""
    unknown = [f"tt{9_100_000 + i}" for i in range(250)]
    csv = write_movies_csv(tmp_path / "many_misses.csv", known_ids[:50] + unknown, [])
    lake = Lake(str(tmp_path / "lake"))
    calls = 0

    def stop_after_one_chunk() -> bool:
        nonlocal calls
        calls += 1
        return calls > 1

    cut = ingest_tmdb(lake, csv_request(csv), settings, should_stop=stop_after_one_chunk)
    assert cut.status == "incomplete" and cut.misses_file is not None
    book = TmdbRunBook(lake, cut.run_id)
    assert len(list(book.iter_misses())) == cut.not_found > 0
    result = ingest_tmdb(lake, csv_request(csv), settings)
    assert result.status == "complete" and result.chunks_skipped == cut.chunks_done
    assert (result.written, result.not_found) == (50, 250)
    every = list(book.iter_misses())
    assert sorted(m.id for m in every) == sorted(unknown)
    plan = book.load_plan()
    assert plan is not None
    assert [m.id for m in every] == [i for i in plan.ids if i in set(unknown)]  # chunk order
    assert result.first_misses == every[:100] and all(m.reason == "no TMDB title" for m in every)
    manifest = book.load_manifest()
    assert manifest is not None and manifest.misses_file == book.misses_path
    assert manifest.first_misses == every[:100] and manifest.counts.not_found == 250
    stored = orjson.loads(lake.read_bytes(book.manifest_path))
    assert "misses" not in stored and len(stored["first_misses"]) == 100  # the rest: misses.jsonl only


def test_a_damaged_or_missing_file_is_fetched_again(
    tmp_path: Path, small_csv: Path, settings: Settings
) -> None:
    lake = Lake(str(tmp_path / "lake"))
    first = ingest_tmdb(lake, csv_request(small_csv), settings)
    damaged, missing = first.files[0], first.files[2]
    good = lake.read_bytes(damaged)
    lake.write_bytes(damaged, good.replace(b'"id":', b'"ID":', 1))
    lake.delete(missing)
    again = ingest_tmdb(lake, csv_request(small_csv), settings)
    assert again.status == "complete" and again.chunks_skipped == 1
    assert lake.read_bytes(damaged) == good
    assert_lake_holds_run_once(lake, again)


def test_should_stop_then_continue_gives_the_files_of_an_uninterrupted_run(
    tmp_path: Path, small_csv: Path, settings: Settings
) -> None:
    reference = Lake(str(tmp_path / "reference"))
    whole = ingest_tmdb(reference, csv_request(small_csv), settings)

    lake = Lake(str(tmp_path / "lake"))
    calls = 0

    def stop_after_some() -> bool:
        nonlocal calls
        calls += 1
        return calls > 1  # the first chunks start, then the job is asked to stop

    cut = ingest_tmdb(lake, csv_request(small_csv), settings, should_stop=stop_after_some)
    assert cut.status == "incomplete"
    assert 0 < cut.chunks_done < cut.chunks_total
    manifest = TmdbRunBook(lake, cut.run_id).load_manifest()
    assert manifest is not None and manifest.status == "incomplete"
    rest = ingest_tmdb(lake, csv_request(small_csv), settings)
    assert rest.status == "complete"
    final = TmdbRunBook(lake, cut.run_id).load_manifest()
    assert final is not None and final.attempts == 2 and final.started_at == manifest.started_at
    assert final.attempt_started_at is not None and final.attempt_started_at > manifest.started_at
    assert rest.chunks_skipped == cut.chunks_done
    assert sorted(rest.files) == sorted(whole.files)
    assert records_by_file(lake) == records_by_file(reference)


def test_a_stop_asked_once_every_chunk_is_taken_still_completes(
    tmp_path: Path, small_csv: Path, settings: Settings
) -> None:
    lake = Lake(str(tmp_path / "lake"))
    total = ingest_tmdb(Lake(str(tmp_path / "reference")), csv_request(small_csv), settings).chunks_total
    calls = 0

    def stop_once_all_are_taken() -> bool:
        nonlocal calls
        calls += 1
        return calls > total  # true only after every chunk has been handed out

    result = ingest_tmdb(lake, csv_request(small_csv), settings, should_stop=stop_once_all_are_taken)
    assert result.status == "complete" and result.chunks_done == total


def test_failures_are_counted_then_fetched_by_the_next_attempt(
    tmp_path: Path, small_csv: Path, server: str
) -> None:
    from cinelake.tmdb.server import configure

    lake = Lake(str(tmp_path / "lake"))
    no_retry = Settings(
        tmdb_base_url=server, tmdb_read_access_token=TOKEN, tmdb_rate_limit=10_000, tmdb_max_retries=0
    )
    configure(server, fault_rate=0.2, fault_mix={"500": 1.0, "503": 1.0, "truncated": 1.0}, seed=7)
    failed = ingest_tmdb(lake, csv_request(small_csv), no_retry)
    assert failed.status == "incomplete" and failed.failed > 0
    assert all(f.error and TOKEN not in f.error for f in failed.failures)
    manifest = TmdbRunBook(lake, failed.run_id).load_manifest()
    assert manifest is not None and manifest.counts.failed == failed.failed
    configure(server, fault_rate=0.0)
    fixed = ingest_tmdb(lake, csv_request(small_csv), no_retry)
    assert (fixed.status, fixed.failed, fixed.written, fixed.not_found) == ("complete", 0, 224, 3)
    assert_lake_holds_run_once(lake, fixed)


def test_rejected_credentials_stop_the_run_with_one_clear_line(
    tmp_path: Path, small_csv: Path, server: str
) -> None:
    from cinelake.tmdb.errors import TMDBAuthError

    wrong = Settings(
        tmdb_base_url=server, tmdb_read_access_token="not-the-token-1234", tmdb_rate_limit=10_000
    )
    lake = Lake(str(tmp_path / "lake"))
    with pytest.raises(TMDBAuthError) as raised:
        ingest_tmdb(lake, csv_request(small_csv), wrong)
    assert "\n" not in str(raised.value) and "not-the-token-1234" not in str(raised.value)
    assert lake.list_files("Raw") == []


def test_series_ids_that_tmdb_lists_as_movies_are_misses(
    tmp_path: Path, settings: Settings, known_ids: list[str]
) -> None:
    from tests.ingest.conftest import write_movies_csv

    movies = write_movies_csv(tmp_path / "m.csv", known_ids[:5], [])
    header, *rows = movies.read_text().splitlines()
    columns = header.split("|")
    series = tmp_path / "series.csv"
    series_rows = ["|".join([*r.split("|")[:4], "2001", *r.split("|")[4:]]) for r in rows]
    series.write_text("\n".join(["|".join([*columns[:4], "anoTermino", *columns[4:]]), *series_rows]) + "\n")
    lake = Lake(str(tmp_path / "lake"))
    request = TMDBIngestRequest(kind=Kind.SERIES, day=DAY, csv=str(series), genres=("comedy",))
    result = ingest_tmdb(lake, request, settings)
    assert (result.status, result.written, result.not_found) == ("complete", 0, 5)
    assert all("as a movie" in m.reason for m in result.first_misses)
    assert lake.list_files("Raw/TMDB") == []


def test_discover_end_to_end(tmp_path: Path, settings: Settings) -> None:
    lake = Lake(f"memory://d{uuid.uuid4().hex[:10]}")
    request = TMDBIngestRequest(
        day=DAY,
        source="discover",
        genres=("animation",),
        release_from=date(2000, 1, 1),
        release_to=date(2004, 12, 31),
    )
    result = ingest_tmdb(lake, request, settings)
    assert result.status == "complete" and result.written > 20
    records = all_records(lake)
    for record in records:
        assert any(g["name"] == "Animation" for g in record["genres"])  # type: ignore[index,union-attr]
        assert "2000-01-01" <= str(record["release_date"]) <= "2004-12-31"
    assert_lake_holds_run_once(lake, result)


def test_discover_slices_windows_under_the_page_cap(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cinelake.tmdb.client import TMDBClient

    async def listing(max_pages: int) -> set[int]:
        monkeypatch.setattr(discover, "MAX_PAGES", max_pages)
        async with TMDBClient.from_settings(settings) as client:
            return await discover.discover_ids(
                client, Kind.MOVIES, ["Animation"], date(1990, 1, 1), date(2016, 12, 31), today=DAY
            )

    whole = asyncio.run(listing(500))
    sliced = asyncio.run(listing(3))  # at most 60 titles a window: many halvings
    assert len(whole) > 150
    assert sliced == whole


def test_unknown_genre_lists_the_known_ones(settings: Settings) -> None:
    request = TMDBIngestRequest(day=DAY, source="discover", genres=("Comedy", "Cartoons"))
    with pytest.raises(UsageError, match=r"unknown genre\(s\) Cartoons: .*Animation.*Comedy"):
        ingest_tmdb(Lake(f"memory://g{uuid.uuid4().hex[:8]}"), request, settings)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"source": "discover"}, "not both"),
        ({"source": "csv", "release_to": date(2020, 1, 1)}, "for --discover only"),
        ({"source": "csv", "csv": None}, "--from-csv"),
        ({"genres": ()}, "--genres is empty"),
        (
            {
                "source": "discover",
                "csv": None,
                "release_from": date(2020, 1, 2),
                "release_to": date(2020, 1, 1),
            },
            "after",
        ),
        ({"append": ("credits", "bogus")}, "unknown --append"),
        ({"concurrency": 50}, "between 1 and 20"),
    ],
)
def test_bad_requests(changes: dict[str, object], message: str) -> None:
    base = {"day": DAY, "source": "csv", "csv": "x.csv"}
    with pytest.raises(UsageError, match=message):
        TMDBIngestRequest(**{**base, **changes}).normalized()  # type: ignore[arg-type]


def test_run_id_is_stable_and_depends_on_the_request(small_csv: Path) -> None:
    a = csv_request(small_csv).normalized()
    assert a.run_id == csv_request(small_csv).normalized().run_id
    assert a.run_id != csv_request(small_csv, genres=("Comedy", "Animation")).normalized().run_id
    assert a.run_id.startswith("20261126-csv-")
    assert a.run_id == csv_request(small_csv, refresh=True, concurrency=3).normalized().run_id


def test_the_run_id_names_the_csv_content(small_csv: Path, tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    pinned = csv_request(small_csv).normalized().pinned(lake)
    assert pinned.csv_sha256 is not None and pinned.parameters()["csv_sha256"] == pinned.csv_sha256
    assert pinned.run_id == csv_request(small_csv).normalized().pinned(lake).run_id
    small_csv.write_bytes(small_csv.read_bytes() + small_csv.read_bytes().splitlines(keepends=True)[-1])
    assert csv_request(small_csv).normalized().pinned(lake).run_id != pinned.run_id


def test_ingest_into_s3(aws_env: str, small_csv: Path, settings: Settings) -> None:
    from tests.lake.conftest import make_s3_lake

    lake = make_s3_lake(aws_env)
    result = ingest_tmdb(lake, csv_request(small_csv), settings)
    assert (result.status, result.written, len(result.files)) == ("complete", 224, 3)
    assert_lake_holds_run_once(lake, result)
    assert lake.exists(result.manifest)
    again = ingest_tmdb(lake, csv_request(small_csv), settings)
    assert again.requests == 0 and again.chunks_skipped == 3


def test_csv_from_the_lake(tmp_path: Path, small_csv: Path, settings: Settings) -> None:
    from cinelake.ingest.local_csv import ingest_local

    lake = Lake(str(tmp_path / "lake"))
    [copied] = ingest_local(lake, [small_csv], day=DAY)
    result = ingest_tmdb(lake, csv_request(Path(copied.path)), settings)
    assert (result.status, result.written) == ("complete", 224)


def test_a_run_held_by_a_live_attempt_elsewhere_is_refused(
    tmp_path: Path, small_csv: Path, settings: Settings
) -> None:
    from cinelake.lake.lock import LakeLock, LockHeldError

    lake = Lake(str(tmp_path / "lake"))
    request = csv_request(small_csv)
    other = LakeLock(lake, f"tmdb-{request.normalized().pinned(lake).run_id}")
    other.acquire()  # another attempt, holding the lock (its own OS lock on the file)
    with pytest.raises(LockHeldError, match=f"is being worked on by {other.host} pid"):
        ingest_tmdb(lake, request, settings)
    assert lake.list_files("Raw", include_hidden=True) == [other.path]  # nothing but the other's lock
    other.release()
    result = ingest_tmdb(lake, request, settings)
    assert result.status == "complete"
    assert not lake.exists(other.path)  # released at the end


def test_credentials_revoked_mid_run_leave_only_listed_files(
    tmp_path: Path, small_csv: Path, settings: Settings, server: str
) -> None:
    from cinelake.tmdb.errors import TMDBAuthError
    from cinelake.tmdb.server import configure

    lake = Lake(str(tmp_path / "lake"))
    revoked = False

    def revoke(progress: IngestProgress) -> None:
        nonlocal revoked
        if not revoked and progress.done >= 110:
            revoked = True
            configure(server, sudden_401=True)

    with pytest.raises(TMDBAuthError):
        ingest_tmdb(lake, csv_request(small_csv), settings, progress=revoke)
    manifest = TmdbRunBook(lake, csv_request(small_csv).normalized().pinned(lake).run_id).load_manifest()
    assert manifest is not None and manifest.status == "incomplete"
    # Every chunk fetched before the error was written and checkpointed; nothing unlisted is visible.
    assert sorted(lake.list_files("Raw/TMDB")) == sorted(f.path for f in manifest.files)
    configure(server, sudden_401=False)
    result = ingest_tmdb(lake, csv_request(small_csv), settings)
    assert result.status == "complete" and result.chunks_skipped == manifest.chunks_done
    assert_lake_holds_run_once(lake, result)
