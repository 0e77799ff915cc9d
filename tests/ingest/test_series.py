"""Series through the TMDB ingestion, against the offline server: discover by TV genre, the CSV path with
the tests' declared IMDB ids, faults, and movies and series in one go without mixing them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from cinelake.cli import main
from cinelake.config import Settings, get_settings
from cinelake.errors import UsageError
from cinelake.ingest import discover
from cinelake.ingest.runs import discover_series, ingest_kinds, parse_kinds
from cinelake.ingest.tmdb import TMDBIngestRequest, ingest_tmdb
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from cinelake.tmdb.server import configure, fetch_stats, reset_stats
from cinelake.tmdb.snapshot.tv import load_tv_snapshot
from tests.ingest.conftest import TOKEN, write_series_csv
from tests.ingest.test_tmdb import all_records, assert_lake_holds_run_once, records_by_file
from tests.support.series import DECLARED_TV_IMDB_IDS

pytestmark = pytest.mark.integration

DAY = date(2026, 11, 26)
SERIES_FOLDER = "Raw/TMDB/JSON/Series/2026/11/26/"
MOVIES_FOLDER = "Raw/TMDB/JSON/Movies/2026/11/26/"


def snapshot_series(*genre_ids: int) -> dict[int, dict[str, Any]]:
    """The packaged series in any of ``genre_ids``, computed straight from the snapshot."""
    return {
        i: s for i, s in load_tv_snapshot().series.items() if {g["id"] for g in s["genres"]} & set(genre_ids)
    }


def memory_lake() -> Lake:
    return Lake(f"memory://s{uuid.uuid4().hex[:10]}")


def test_discover_series_by_genre(settings: Settings) -> None:
    lake = memory_lake()
    result = discover_series(lake, ("Comedy", "Animation"), day=DAY, settings=settings)
    expected = snapshot_series(35, 16)
    assert (result.status, result.requested, result.written, result.not_found) == ("complete", 42, 42, 0)
    assert len(expected) == 42
    assert all(path.startswith(SERIES_FOLDER + "series-") for path in result.files)
    records = all_records(lake)
    # Each record is the /tv/{id} response as received: the snapshot's object, unchanged.
    assert {r["id"]: r for r in records} == expected  # type: ignore[misc]
    assert_lake_holds_run_once(lake, result)
    assert lake.list_files("Raw/TMDB/JSON/Movies") == []
    again = discover_series(lake, ("Comedy", "Animation"), day=DAY, settings=settings)
    assert (again.run_id, again.chunks_skipped, again.files) == (result.run_id, 1, result.files)


def test_discover_series_window_is_of_first_air_dates(settings: Settings) -> None:
    lake = memory_lake()
    discover_series(
        lake,
        ("Animation",),
        day=DAY,
        first_air_from=date(2010, 1, 1),
        first_air_to=date(2015, 12, 31),
        settings=settings,
    )
    expected = {
        i for i, s in snapshot_series(16).items() if "2010-01-01" <= s["first_air_date"] <= "2015-12-31"
    }
    assert expected and {r["id"] for r in all_records(lake)} == expected


def test_discover_series_slices_past_the_page_cap(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cinelake.tmdb.client import TMDBClient

    async def listing(max_pages: int) -> set[int]:
        monkeypatch.setattr(discover, "MAX_PAGES", max_pages)
        async with TMDBClient.from_settings(settings) as client:
            return await discover.discover_ids(
                client, Kind.SERIES, ["all"], date(1960, 1, 1), date(2020, 12, 31), today=DAY
            )

    whole = asyncio.run(listing(500))
    sliced = asyncio.run(listing(1))  # at most 20 series a window: the window is halved many times
    assert whole == set(load_tv_snapshot().series) and sliced == whole


def test_series_genres_are_tmdbs_tv_genres(settings: Settings) -> None:
    lake = memory_lake()
    result = discover_series(lake, ("action & adventure",), day=DAY, settings=settings)
    assert result.written == len(snapshot_series(10759)) > 0
    movie_request = TMDBIngestRequest(day=DAY, source="discover", genres=("Action & Adventure",))
    with pytest.raises(UsageError, match=r"unknown genre\(s\) Action & Adventure: TMDB's movie genres"):
        ingest_tmdb(memory_lake(), movie_request, settings)
    with pytest.raises(UsageError, match=r"unknown genre\(s\) Cartoons: TMDB's series genres are .*Comedy"):
        discover_series(memory_lake(), ("Cartoons",), day=DAY, settings=settings)


def test_series_default_appends_are_the_tv_ones() -> None:
    series = TMDBIngestRequest(kind=Kind.SERIES, day=DAY, source="discover").normalized()
    movies = TMDBIngestRequest(kind=Kind.MOVIES, day=DAY, source="discover").normalized()
    assert series.append_for(Kind.SERIES)[-1] == "content_ratings"
    assert movies.append_for(Kind.MOVIES)[-1] == "release_dates"
    assert series.run_id != movies.run_id
    chosen = TMDBIngestRequest(kind=Kind.SERIES, day=DAY, source="discover", append=("credits",)).normalized()
    assert chosen.append_for(Kind.SERIES) == ("credits",)


def test_csv_series_found_missed_and_a_film_given_as_a_series(tmp_path: Path, settings: Settings) -> None:
    configure(settings.tmdb_base_url, tv_imdb_ids=DECLARED_TV_IMDB_IDS)
    found = {"tt0121955": 2190, "tt0096697": 456, "tt2861424": 60625}
    film = "tt0114709"  # Toy Story: a film in the snapshot
    unknown = "tt9999995"
    drama = "tt0108778"  # Friends, but the CSV row is not of the genres asked for
    csv = write_series_csv(
        tmp_path / "series.csv",
        [
            *((i, "Animation,Comedy") for i in found),
            (film, "Animation"),
            (unknown, "Comedy"),
            (drama, "Drama"),
        ],
    )
    lake = Lake(str(tmp_path / "lake"))
    request = TMDBIngestRequest(
        kind=Kind.SERIES, day=DAY, source="csv", csv=str(csv), genres=("Comedy", "Animation")
    )
    result = ingest_tmdb(lake, request, settings)
    assert (result.status, result.requested, result.written, result.not_found) == ("complete", 5, 3, 2)
    reasons = {m.id: m.reason for m in result.first_misses}
    assert reasons == {film: "TMDB lists this IMDB id as a movie", unknown: "no TMDB title"}
    records = all_records(lake)
    assert {r["id"] for r in records} == set(found.values())
    for record in records:
        assert record["external_ids"]["imdb_id"] in found  # type: ignore[index]
        assert "credits" not in record  # the source has none, so none is appended
    assert all(path.startswith(SERIES_FOLDER) for path in result.files)
    assert_lake_holds_run_once(lake, result)


def test_csv_series_without_declared_ids_all_miss(tmp_path: Path, settings: Settings) -> None:
    csv = write_series_csv(tmp_path / "series.csv", [("tt0121955", "Comedy")])
    request = TMDBIngestRequest(kind=Kind.SERIES, day=DAY, source="csv", csv=str(csv), genres=("Comedy",))
    result = ingest_tmdb(Lake(str(tmp_path / "lake")), request, settings)
    assert (result.written, result.not_found) == (0, 1)
    assert result.first_misses[0].reason == "no TMDB title"


def test_faults_during_a_series_ingest_leave_one_copy_of_each(settings: Settings) -> None:
    reset_stats(settings.tmdb_base_url)
    configure(settings.tmdb_base_url, fault_rate=0.3, seed=7, retry_after_s=0)
    lake = memory_lake()
    result = discover_series(lake, ("all",), day=DAY, settings=settings.with_overrides(tmdb_max_retries=8))
    configure(settings.tmdb_base_url, fault_rate=0.0)
    assert sum(fetch_stats(settings.tmdb_base_url)["faults"].values()) > 20
    if result.status != "complete":  # a title that failed every retry is fetched by the next attempt
        result = discover_series(lake, ("all",), day=DAY, settings=settings)
    assert (result.status, result.written, result.failed) == ("complete", 100, 0)
    assert_lake_holds_run_once(lake, result)
    assert {r["id"] for r in all_records(lake)} == set(load_tv_snapshot().series)


def test_both_kinds_in_one_go_keep_their_own_folders(settings: Settings) -> None:
    lake = memory_lake()
    request = TMDBIngestRequest(
        day=DAY,
        source="discover",
        genres=("Animation",),
        release_from=date(2010, 1, 1),
        release_to=date(2011, 12, 31),
    )
    results = ingest_kinds(lake, request, parse_kinds("both"), settings)
    movies, series = results[Kind.MOVIES], results[Kind.SERIES]
    assert movies.run_id != series.run_id and movies.written > 0 and series.written > 0
    by_file = records_by_file(lake)
    for path, rows in by_file.items():
        if path.startswith(MOVIES_FOLDER):
            assert all("original_title" in r and "first_air_date" not in r for r in rows), path
        else:
            assert path.startswith(SERIES_FOLDER), path
            assert all("first_air_date" in r and "original_title" not in r for r in rows), path
    assert sorted(by_file) == sorted(movies.files + series.files)
    assert {r["id"] for p in series.files for r in by_file[p]} == {
        i for i, s in snapshot_series(16).items() if "2010-01-01" <= s["first_air_date"] <= "2011-12-31"
    }
    # The crawler sees two structures, two tables.
    from cinelake.catalog import crawl, open_backend

    tables = {t.table: t for t in crawl(lake, zone="Raw").tables}
    assert set(tables) == {"raw_tmdb_movies", "raw_tmdb_series"}
    assert (tables["raw_tmdb_movies"].records, tables["raw_tmdb_series"].records) == (
        movies.written,
        series.written,
    )
    series_table = open_backend(lake).get_table("raw_tmdb_series")
    assert series_table is not None
    columns = {c.name for c in series_table.storage.columns}
    assert {"first_air_date", "number_of_seasons", "networks"} <= columns and "release_date" not in columns
    with pytest.raises(UsageError, match="need --discover"):
        ingest_kinds(lake, TMDBIngestRequest(day=DAY, csv="x.csv"), parse_kinds("both"), settings)
    with pytest.raises(UsageError, match="use movies, series or both"):
        parse_kinds("films")


@pytest.fixture()
def token_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TMDB_READ_ACCESS_TOKEN", TOKEN)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
        raise SystemExit(0)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_cli_kind_both_and_kind_series(
    tmp_path: Path, server: str, token_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "lake"
    base = ["ingest", "tmdb", "--lake", str(root), "--date", "2026-11-26", "--base-url", server]
    code, out, _ = run_cli(
        [
            *base,
            "--discover",
            "--kind",
            "both",
            "--genres",
            "Animation",
            "--from",
            "2010-01-01",
            "--to",
            "2011-12-31",
        ],
        capsys,
    )
    assert code == 0, out
    assert (
        "TMDB movies ingest" in out
        and "TMDB series ingest" in out
        and "not endorsed or certified by TMDB" in out
    )
    assert list((root / MOVIES_FOLDER).glob("movies-*.json")) and list(
        (root / SERIES_FOLDER).glob("series-*.json")
    )
    code, out, _ = run_cli([*base, "--discover", "--kind", "series", "--genres", "Comedy,Animation"], capsys)
    assert code == 0 and "42" in out
    written = [
        orjson.loads(line)
        for f in (root / SERIES_FOLDER).glob("*.json")
        for line in f.read_bytes().splitlines()
    ]
    assert {r["id"] for r in written} >= set(snapshot_series(35, 16))
    code, _, err = run_cli([*base, "--from-csv", "s.csv", "--kind", "both"], capsys)
    assert code == 2 and "--kind both needs --discover" in " ".join(err.split())
