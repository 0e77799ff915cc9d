"""Run bookkeeping: plan, checkpoints, integrity checks and the summary."""

from __future__ import annotations

import uuid
from datetime import date

import orjson

from cinelake.lake.batch import RawBatchWriter
from cinelake.lake.layout import Origin
from cinelake.lake.manifest import (
    MISSES_IN_MANIFEST,
    ChunkCheckpoint,
    FileEntry,
    Miss,
    MissSpool,
    RunBook,
    RunManifest,
    RunPlan,
    new_generation,
    summarize,
    utc_now,
)
from cinelake.lake.store import Lake

DAY = date(2026, 11, 26)


class Runs(RunBook[RunPlan, RunManifest]):
    """The runs of a source with the generic plan and summary (no source's own fields)."""

    origin = Origin.LOCAL
    plan_model = RunPlan
    manifest_model = RunManifest


def make_plan(n: int, generation: str = "g1") -> RunPlan:
    return RunPlan(
        run="run1",
        generation=generation,
        created_at=utc_now(),
        parameters={"kind": "Movies", "genres": ["Comedy"]},
        chunk_size=100,
        ids=[f"{i:05d}" for i in range(n)],
    )


def test_plan_round_trip_and_chunks(any_lake: Lake) -> None:
    book = Runs(any_lake, "run1")
    assert book.load_plan() is None
    plan = make_plan(250)
    book.save_plan(plan)
    loaded = book.load_plan()
    assert loaded == plan
    assert loaded.chunks == 3
    assert loaded.chunk_ids(3) == [f"{i:05d}" for i in range(200, 250)]
    assert any_lake.list_files("Raw") == []  # bookkeeping is hidden


def test_checkpoints_by_generation_and_integrity() -> None:
    lake = Lake(f"memory://m{uuid.uuid4().hex[:10]}")
    book = Runs(lake, "run1")
    writer = RawBatchWriter(lake, Origin.TMDB, "Movies", DAY, "run1")
    files = writer.write_chunk(1, [{"id": 1}, {"id": 2}])
    checkpoint = ChunkCheckpoint(
        chunk=1,
        generation="g1",
        requested=3,
        files=[FileEntry.of(f) for f in files],
        misses=[Miss(id="3", reason="not found (404)")],
        completed_at=utc_now(),
    )
    book.save_checkpoint(checkpoint)
    book.save_checkpoint(checkpoint.model_copy(update={"chunk": 2, "generation": "g0"}))
    lake.write_bytes(book.checkpoint_path(3), b"not json")
    loaded = book.load_checkpoints("g1")
    assert list(loaded) == [1]
    assert loaded[1].written == 2 and loaded[1].done
    assert book.files_intact(loaded[1])
    lake.write_bytes(files[0].path, b'{"id":1}\n{"id":9}\n')  # same size, other bytes
    assert not book.files_intact(loaded[1])
    lake.delete(files[0].path)
    assert not book.files_intact(loaded[1])


def test_summary_counts_and_manifest_round_trip() -> None:
    lake = Lake(f"memory://s{uuid.uuid4().hex[:10]}")
    book = Runs(lake, "run1")
    plan = make_plan(150)
    entry = FileEntry(path="Raw/x.json", records=99, bytes=10, sha256="0" * 64, chunk=1)
    checkpoints = {
        1: ChunkCheckpoint(
            chunk=1,
            generation="g1",
            requested=100,
            files=[entry],
            misses=[Miss(id="1", reason="404")],
            completed_at=utc_now(),
        )
    }
    with MissSpool() as spool:
        spool.put(1, checkpoints[1].misses)
        manifest = summarize(
            plan, checkpoints, spool, model=RunManifest, status="incomplete", started_at=utc_now()
        )
    assert manifest.counts.model_dump() == {"requested": 150, "written": 99, "not_found": 1, "failed": 0}
    assert manifest.first_misses == [Miss(id="1", reason="404")] and manifest.misses_file is None
    assert (manifest.chunks_total, manifest.chunks_done) == (2, 1)
    book.save_manifest(manifest)
    assert book.load_manifest() == manifest
    text = orjson.loads(lake.read_bytes(book.manifest_path))
    assert text["parameters"] == {"kind": "Movies", "genres": ["Comedy"]}
    assert new_generation() != ""


def misses(chunk: int, n: int) -> list[Miss]:
    return [Miss(id=f"c{chunk}-{i}", reason=f"reason \u00e9 {i}") for i in range(n)]


def test_the_spool_keeps_each_chunks_misses_in_chunk_order_and_replaces_a_redone_chunk() -> None:
    with MissSpool() as spool:
        spool.put(3, misses(3, 2))
        spool.put(1, misses(1, 70))
        spool.put(2, [])
        spool.put(4, misses(4, 60))
        assert spool.count == 132 and spool.count_of(1) == 70 and spool.count_of(9) == 0
        spool.put(3, misses(3, 1))  # the chunk was redone: its new misses replace the old ones
        spool.drop(4)
        assert spool.count == 71
        expected = misses(1, 70) + misses(3, 1)
        assert spool.first() == expected
        assert spool.first(5) == expected[:5]


def test_the_summary_shows_the_first_misses_and_the_run_file_holds_them_all(any_lake: Lake) -> None:
    book = Runs(any_lake, "run1")
    plan = make_plan(300)
    checkpoints = {
        k: ChunkCheckpoint(chunk=k, generation="g1", requested=100, completed_at=utc_now()) for k in (1, 2, 3)
    }
    with MissSpool() as spool:
        for k in (3, 1, 2):
            spool.put(k, misses(k, 60))
        path = book.save_misses(spool)
        manifest = summarize(
            plan,
            checkpoints,
            spool,
            model=RunManifest,
            status="complete",
            started_at=utc_now(),
            misses_file=path,
        )
    every = misses(1, 60) + misses(2, 60) + misses(3, 60)
    assert manifest.counts.not_found == 180
    assert manifest.first_misses == every[:MISSES_IN_MANIFEST]
    assert manifest.misses_file == path == book.misses_path
    assert list(book.iter_misses()) == every
    assert any_lake.read_bytes(path).count(b"\n") == 180
    assert any_lake.list_files("Raw") == []  # bookkeeping is hidden


def test_a_run_without_a_misses_file_yet_has_no_misses_to_list() -> None:
    book = Runs(Lake(f"memory://n{uuid.uuid4().hex[:10]}"), "run1")
    assert list(book.iter_misses()) == []
