"""The discover listing saved as it goes: cut by ``should_stop`` at several points, it resumes from the
steps it saved in the lake and ends with exactly the ids (and the Raw files) of a listing never cut."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import date

import pytest

from cinelake.config import Settings
from cinelake.ingest import discover
from cinelake.ingest.discover import Listing, Step, list_ids
from cinelake.ingest.listing import RunSteps
from cinelake.ingest.tmdb import TMDBIngestRequest, ingest_tmdb
from cinelake.ingest.tmdb_runs import TmdbRunBook
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from tests.ingest.conftest import TOKEN

DAY = date(2026, 11, 26)


def memory_lake() -> Lake:
    return Lake(f"memory://listing-{uuid.uuid4().hex[:10]}")


# --- the listing's state in the lake (unit) ---------------------------------------------------------


def test_steps_are_saved_one_object_each_and_read_back_by_a_later_attempt() -> None:
    lake = memory_lake()
    book = TmdbRunBook(lake, "20261126-discover-abc")
    first = RunSteps.load(book)
    assert first.steps == {}
    done = [
        Step("w-any-any", total_pages=40, ids=(5, 3)),
        Step("w-18700101-20271127-p002-011", ids=tuple(range(100, 300))),
        Step("undated-p030", ids=(7,), last=True),
    ]
    for step in done:
        asyncio.run(first.put(step))
    names = lake.list_files("Raw/TMDB/_runs/20261126-discover-abc/listing", include_hidden=True)
    assert sorted(names) == sorted(
        f"Raw/TMDB/_runs/20261126-discover-abc/listing/{s.name}.json" for s in done
    )
    again = RunSteps.load(book)
    assert again.steps == {s.name: s for s in done}
    assert again.get("undated-p030") == Step("undated-p030", ids=(7,), last=True)
    assert again.get("w-19900101-19901231") is None


def test_a_damaged_step_is_fetched_again_and_a_refresh_forgets_them_all() -> None:
    lake = memory_lake()
    book = TmdbRunBook(lake, "20261126-discover-abc")
    steps = RunSteps.load(book)
    asyncio.run(steps.put(Step("w-any-any", total_pages=2, ids=(1, 2))))
    asyncio.run(steps.put(Step("w-any-any-p002-002", ids=(3,))))
    lake.write_bytes(book.listing_part_path("w-any-any-p002-002"), b'{"name": "w-any-any-p0')  # cut short
    assert set(RunSteps.load(book).steps) == {"w-any-any"}
    assert RunSteps.fresh(book).steps == {}
    assert RunSteps.load(book).steps == {}


def test_a_step_name_cannot_leave_the_run_folder() -> None:
    from cinelake.lake.layout import LakePathError

    book = TmdbRunBook(memory_lake(), "20261126-discover-abc")
    with pytest.raises(LakePathError):
        book.listing_part_path("../plan")


# --- a listing cut by should_stop (against the offline server) ------------------------------------------


def listing(
    settings: Settings,
    kind: Kind,
    genres: list[str],
    window: tuple[date | None, date | None],
    steps: RunSteps,
    should_stop: Callable[[], bool] | None = None,
) -> Listing:
    from cinelake.tmdb.client import TMDBClient

    async def go() -> Listing:
        async with TMDBClient.from_settings(settings) as client:
            return await list_ids(
                client, kind, genres, *window, today=DAY, steps=steps, should_stop=should_stop
            )

    return asyncio.run(go())


def after_steps(steps: RunSteps, n: int) -> Callable[[], bool]:
    """A should_stop that turns true once this attempt has saved ``n`` steps."""
    start = len(steps.steps)
    return lambda: len(steps.steps) - start >= n


def after_looks(n: int) -> Callable[[], bool]:
    """A should_stop that turns true from its (n+1)-th call on (the job looks before each step)."""
    calls = iter(range(1_000_000))
    return lambda: next(calls) >= n


CASES = [
    # Movies of one genre in a window, sliced into many windows (at most 3 pages each).
    pytest.param(Kind.MOVIES, ["Animation"], (date(1990, 1, 1), date(2016, 12, 31)), 3, id="movies-window"),
    # Every series, no window: the whole catalogue is sliced, and the undated window is read.
    pytest.param(Kind.SERIES, ["all"], (None, None), 1, id="series-whole"),
]


@pytest.mark.integration
@pytest.mark.parametrize(("kind", "genres", "window", "cap"), CASES)
def test_a_listing_cut_at_several_points_ends_with_the_ids_of_an_uncut_one(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    kind: Kind,
    genres: list[str],
    window: tuple[date | None, date | None],
    cap: int,
) -> None:
    monkeypatch.setattr(discover, "MAX_PAGES", cap)
    uncut_steps = RunSteps.load(TmdbRunBook(memory_lake(), "20261126-discover-uncut"))
    uncut = listing(settings, kind, genres, window, uncut_steps)
    assert uncut.complete and len(uncut.ids) > 40
    assert uncut.steps_done > 10  # enough steps for cuts at 1, 3 and 7

    lake = memory_lake()
    book = TmdbRunBook(lake, "20261126-discover-cut")
    attempts: list[Listing] = []
    for cut in (1, 3, 7, None):
        steps = RunSteps.load(book)  # a new attempt knows only what the lake holds
        stop = after_steps(steps, cut) if cut else None
        attempts.append(listing(settings, kind, genres, window, steps, stop))
    assert [a.complete for a in attempts] == [False, False, False, True]
    # A stop lets the steps in flight finish: each cut attempt saved at least its share.
    assert [a.steps_done >= cut for a, cut in zip(attempts, (1, 3, 7), strict=False)] == [True] * 3
    assert attempts[-1].ids == uncut.ids
    # Nothing was fetched twice: the attempts together asked for the pages of the uncut listing.
    assert sum(a.pages_fetched for a in attempts) == uncut.pages_fetched
    assert sum(a.steps_done for a in attempts) == uncut.steps_done
    assert set(RunSteps.load(book).steps) == set(uncut_steps.steps)


@pytest.mark.integration
def test_a_stop_before_the_first_step_saves_nothing(settings: Settings) -> None:
    steps = RunSteps.load(TmdbRunBook(memory_lake(), "20261126-discover-none"))
    stopped = listing(settings, Kind.SERIES, ["Comedy"], (None, None), steps, lambda: True)
    assert (stopped.complete, stopped.ids, stopped.pages_fetched, steps.steps) == (False, set(), 0, {})


# --- titles without a date ------------------------------------------------------------------------


UNDATED = 30  # Animation movies the test's snapshot gives no release date


@pytest.fixture(scope="module")
def undated_server() -> Iterator[tuple[str, list[int], list[int]]]:
    """The offline server on a copy of the snapshot where the last 30 Animation movies have no date.

    Yields the base URL, the Animation ids in the server's ``release_date.asc`` order (dated first),
    and the undated ids.
    """
    from cinelake.tmdb.server import serve_in_thread
    from cinelake.tmdb.snapshot import load_snapshot

    packaged = load_snapshot()
    animation = sorted(i for i, m in packaged.movies.items() if any(g["id"] == 16 for g in m["genres"]))
    undated = animation[-UNDATED:]
    movies = dict(packaged.movies)
    for movie_id in undated:
        movies[movie_id] = {**movies[movie_id], "release_date": ""}  # as TMDB sends a missing date
    snapshot = dataclasses.replace(packaged, movies=movies)
    dated = sorted((i for i in animation if i not in undated), key=lambda i: (movies[i]["release_date"], i))
    with serve_in_thread(snapshot=snapshot, token=TOKEN) as url:
        yield url, dated + undated, undated


@pytest.mark.integration
def test_undated_titles_are_listed_by_a_window_without_a_date(
    undated_server: tuple[str, list[int], list[int]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, ordered, undated = undated_server
    settings = Settings(tmdb_base_url=url, tmdb_read_access_token=TOKEN, tmdb_rate_limit=10_000)
    pages = -(-len(ordered) // 20)
    # The whole Animation listing is one page over the cap, so it is sliced into date windows; those
    # leave out every undated title. The undated window reads the whole listing, sorted by the date,
    # from the last page served backwards: the undated titles on the pages up to the cap are listed;
    # those on the page past it cannot be.
    cap = pages - 1
    monkeypatch.setattr(discover, "MAX_PAGES", cap)
    caplog.set_level(logging.WARNING, logger="cinelake.ingest.discover")
    found = listing(
        settings, Kind.MOVIES, ["Animation"], (None, None), RunSteps.load(TmdbRunBook(memory_lake(), "r1"))
    )
    assert found.complete
    reachable = set(ordered[: cap * 20])
    assert found.ids == reachable
    assert set(undated) & found.ids == set(undated) & reachable and set(undated) & reachable
    assert "titles without a date past page" in caplog.text
    # With room for every page, the listing is not sliced and has them all.
    monkeypatch.setattr(discover, "MAX_PAGES", pages)
    whole = listing(
        settings, Kind.MOVIES, ["Animation"], (None, None), RunSteps.load(TmdbRunBook(memory_lake(), "r2"))
    )
    assert whole.ids == set(ordered)


# --- the ingestion job stopped while listing ------------------------------------------------------------


@pytest.mark.integration
def test_an_ingest_stopped_while_listing_resumes_to_the_files_of_an_uncut_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discover, "MAX_PAGES", 2)
    request = TMDBIngestRequest(
        kind=Kind.MOVIES,
        day=DAY,
        source="discover",
        genres=("Animation",),
        release_from=date(2000, 1, 1),
        release_to=date(2009, 12, 31),
    )
    uncut_lake = memory_lake()
    uncut = ingest_tmdb(uncut_lake, request, settings)
    assert uncut.status == "complete" and uncut.written > 100

    lake = memory_lake()
    book = TmdbRunBook(lake, request.normalized().run_id)
    results = []
    for cut in (2, 5, None):
        stop = after_looks(cut) if cut else None
        results.append(ingest_tmdb(lake, request, settings, should_stop=stop))
        if cut:
            assert book.load_plan() is None  # still listing: no plan frozen
    assert [r.status for r in results] == ["incomplete", "incomplete", "complete"]
    assert [r.requested for r in results] == [0, 0, uncut.requested]
    assert results[0].listing["complete"] is False and results[0].listing["steps_done"] >= 2
    assert results[1].listing["steps_reused"] == results[0].listing["steps_done"]
    manifest = book.load_manifest()
    assert manifest is not None and manifest.status == "complete"
    plan, uncut_plan = book.load_plan(), TmdbRunBook(uncut_lake, uncut.run_id).load_plan()
    assert plan is not None and uncut_plan is not None and plan.ids == uncut_plan.ids
    raw = {p: lake.read_bytes(p) for p in lake.list_files("Raw/TMDB/JSON")}
    assert raw == {p: uncut_lake.read_bytes(p) for p in uncut_lake.list_files("Raw/TMDB/JSON")}
    assert sorted(raw) == sorted(results[-1].files)
