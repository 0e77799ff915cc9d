"""The Raw batch writer: file count, limits, spill, union and determinism."""

from __future__ import annotations

import itertools
import uuid
from datetime import date

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cinelake.lake import layout
from cinelake.lake.batch import (
    MAX_FILE_BYTES,
    RawBatchWriter,
    RecordTooLargeError,
    chunk_bounds,
    chunk_count,
    pack_lines,
    read_records,
)
from cinelake.lake.layout import Origin
from cinelake.lake.store import Lake

DAY = date(2026, 11, 26)


def fresh_lake() -> Lake:
    return Lake(f"memory://b{uuid.uuid4().hex[:12]}")


def write_run(lake: Lake, records: list[dict[str, object]], **limits: int) -> list[str]:
    """Cut records into chunks of 100 like a run does; return the files written."""
    writer = RawBatchWriter(lake, Origin.TMDB, "Movies", DAY, "run1", **limits)
    paths: list[str] = []
    for k in range(1, chunk_count(len(records)) + 1):
        start, stop = chunk_bounds(k, len(records))
        paths += [f.path for f in writer.write_chunk(k, records[start:stop])]
    return paths


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 1_050))
def test_any_record_count_gives_ceil_n_over_100_files(n: int) -> None:
    lake = fresh_lake()
    records = [{"id": i, "title": f"t{i}"} for i in range(n)]
    paths = write_run(lake, records)
    assert len(paths) == -(-n // 100)
    assert lake.list_files("Raw") == sorted(paths)
    seen: list[int] = []
    for path in paths:
        assert lake.size(path) <= MAX_FILE_BYTES
        rows = read_records(lake, path)
        assert 1 <= len(rows) <= 100
        seen += [int(r["id"]) for r in rows]
    assert sorted(seen) == list(range(n))
    assert len(set(seen)) == len(seen)
    lake.delete("")


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 400), max_size=250),
    max_bytes=st.integers(400, 3_000),
    max_records=st.integers(1, 100),
)
def test_packing_respects_both_limits_and_keeps_order(
    sizes: list[int], max_bytes: int, max_records: int
) -> None:
    lines = [orjson.dumps({"i": i, "p": "x" * s}) + b"\n" for i, s in enumerate(sizes)]
    lines = [line for line in lines if len(line) <= max_bytes]
    parts = pack_lines(lines, max_records=max_records, max_bytes=max_bytes)
    assert [line for part in parts for line in part] == lines
    for part in parts:
        assert 1 <= len(part) <= max_records
        assert sum(map(len, part)) <= max_bytes
    # Greedy: the next part's first line would not have fitted in the previous part.
    for before, after in itertools.pairwise(parts):
        full = len(before) == max_records or sum(map(len, before)) + len(after[0]) > max_bytes
        assert full
    assert parts == pack_lines(lines, max_records=max_records, max_bytes=max_bytes)


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(10, 900), min_size=1, max_size=300))
def test_spilled_chunks_hold_every_record_once(sizes: list[int]) -> None:
    lake = fresh_lake()
    records = [{"id": i, "pad": "y" * s} for i, s in enumerate(sizes)]
    paths = write_run(lake, records, max_bytes=2_000)
    ids: list[int] = []
    for path in paths:
        assert lake.size(path) <= 2_000
        rows = read_records(lake, path)
        assert len(rows) <= 100
        ids += [int(r["id"]) for r in rows]
    assert ids == list(range(len(sizes)))
    lake.delete("")


def test_a_chunk_over_10_mb_spills_into_deterministic_parts() -> None:
    lake = fresh_lake()
    records = [{"id": i, "overview": "z" * 150_000} for i in range(100)]  # ~15 MB
    writer = RawBatchWriter(lake, Origin.TMDB, "Movies", DAY, "run1")
    files = writer.write_chunk(1, records)
    assert [f.part for f in files] == [1, 2]
    assert files[0].path == layout.raw_tmdb_file("Movies", DAY, "run1", 1)
    assert files[1].path.endswith("movies-run1-00001-p02.json")
    assert all(f.bytes <= MAX_FILE_BYTES for f in files)
    assert sum(f.records for f in files) == 100
    again = writer.write_chunk(1, records)
    assert again == files


def test_a_record_over_the_limit_is_refused() -> None:
    writer = RawBatchWriter(fresh_lake(), Origin.TMDB, "Movies", DAY, "run1", max_bytes=100)
    with pytest.raises(RecordTooLargeError):
        writer.write_chunk(1, [{"id": 1, "x": "q" * 200}])


def test_lines_are_compact_utf8_json_objects() -> None:
    lake = fresh_lake()
    writer = RawBatchWriter(lake, Origin.TMDB, "Movies", DAY, "run1")
    [written] = writer.write_chunk(3, [{"id": 1, "title": "Amélie", "genres": [{"id": 35}]}, {"id": 2}])
    data = lake.read_bytes(written.path)
    assert data == '{"id":1,"title":"Amélie","genres":[{"id":35}]}\n{"id":2}\n'.encode()
    assert written.path.endswith("movies-run1-00003.json")


def test_stale_parts_are_removed_and_sweep_keeps_only_listed_files() -> None:
    lake = fresh_lake()
    writer = RawBatchWriter(lake, Origin.TMDB, "Movies", DAY, "run1", max_bytes=200)
    big = writer.write_chunk(1, [{"id": i, "p": "a" * 120} for i in range(3)])
    assert len(big) == 3
    small = writer.write_chunk(1, [{"id": 0}], stale=[f.path for f in big])
    assert lake.list_files("Raw") == [small[0].path]
    other = RawBatchWriter(lake, Origin.TMDB, "Movies", DAY, "run2")
    theirs = other.write_chunk(1, [{"id": 9}])
    lake.write_bytes(writer.path(7), b'{"id":7}\n')  # an orphan of an earlier attempt
    temp = writer.path(1).replace("movies-run1", ".movies-run1") + ".tmp-abc"
    lake.write_bytes(temp, b"partial")
    removed = writer.sweep([small[0].path])
    assert sorted(removed) == sorted([writer.path(7), temp])
    assert lake.list_files("Raw", include_hidden=True) == sorted([small[0].path, theirs[0].path])


def test_empty_chunk_writes_nothing_and_deletes_its_stale_file() -> None:
    lake = fresh_lake()
    writer = RawBatchWriter(lake, Origin.TMDB, "Series", DAY, "run1")
    [old] = writer.write_chunk(1, [{"id": 1}])
    assert writer.write_chunk(1, [], stale=[old.path]) == []
    assert lake.list_files("Raw") == []
