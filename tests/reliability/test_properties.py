"""Property-based tests of the input edges: the CSV reader, lake paths from input, the batch writer."""

from __future__ import annotations

import os
import posixpath
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cinelake.errors import InputFileError, LakePathError
from cinelake.ingest.local_csv import MOVIES_COLUMNS, read_imdb_ids, validate_csv
from cinelake.lake import layout
from cinelake.lake.batch import RawBatchWriter, read_records
from cinelake.lake.layout import Kind, Origin
from cinelake.lake.store import Lake

HEADER = "|".join(MOVIES_COLUMNS)
imdb_ids = st.integers(min_value=1, max_value=10**9).map(lambda n: f"tt{n:07d}")
GENRES = ("Comedy", "Drama", "Animation", "Horror")


def _row(imdb_id: str, genre: str, artist: str) -> str:
    return f"{imdb_id}|T|T|1999|90|{genre}|7.1|100|actor|\\N|{artist}|1970|\\N|actor|x"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(imdb_ids, st.sampled_from(GENRES), st.sampled_from(["A", 'B "q"', "C;D"])), min_size=1
    ),
    crlf=st.booleans(),
    bom=st.booleans(),
    trailing_newline=st.booleans(),
)
def test_csv_reader_finds_each_id_of_a_genre_once(
    tmp_path: Path, rows: list[tuple[str, str, str]], crlf: bool, bom: bool, trailing_newline: bool
) -> None:
    end = "\r\n" if crlf else "\n"
    text = end.join([HEADER, *(_row(*r) for r in rows)]) + (end if trailing_newline else "")
    path = tmp_path / f"{uuid.uuid4().hex}.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    info = validate_csv(path)
    assert (info.kind, info.rows) == (Kind.MOVIES, len(rows))
    assert read_imdb_ids(path, "all") == sorted({r[0] for r in rows})
    assert read_imdb_ids(path, ("comedy",)) == sorted({r[0] for r in rows if r[1] == "Comedy"})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), with_header=st.booleans())
def test_csv_reader_on_arbitrary_bytes_accepts_or_names_the_problem(
    tmp_path: Path, data: bytes, with_header: bool
) -> None:
    path = tmp_path / f"{uuid.uuid4().hex}.csv"
    path.write_bytes((HEADER.encode() + b"\n" if with_header else b"") + data)
    try:
        info = validate_csv(path)
    except InputFileError as exc:
        message = str(exc)
        assert message.startswith(str(path)) and "\n" not in message and len(message) < 400
    else:
        assert info.rows >= 1


path_text = st.lists(
    st.sampled_from([*"./\\_-~:%$abcXYZ019 \x00", "..", "../", "/..", "%2e%2e", "\u2024\u2024"]), max_size=20
).map("".join)


@settings(max_examples=300, deadline=None)
@given(name=path_text)
def test_a_file_name_from_input_never_leaves_its_folder(name: str) -> None:
    try:
        rel = layout.raw_local_csv_file(Kind.MOVIES, date(2026, 11, 26), name)
    except LakePathError:
        return
    assert posixpath.dirname(rel) == layout.raw_local_csv_dir(Kind.MOVIES, date(2026, 11, 26))
    assert not layout.has_hidden_part(rel) and ".." not in rel.split("/")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rel=path_text)
def test_any_lake_relative_path_stays_under_the_root(tmp_path: Path, rel: str) -> None:
    lake = Lake(str(tmp_path / "lake"))
    try:
        full = lake.fs_path(rel)
    except LakePathError:
        return
    root = os.path.realpath(tmp_path / "lake")
    resolved = os.path.realpath(full)
    assert resolved == root or resolved.startswith(root + os.sep)


@settings(max_examples=200, deadline=None)
@given(
    run=st.text(max_size=30),
    spec=st.text(max_size=20),
    chunk=st.integers(-5, 100_005),
    part=st.integers(-2, 102),
)
def test_raw_file_names_from_any_run_and_spec_stay_in_their_dataset(
    run: str, spec: str, chunk: int, part: int
) -> None:
    try:
        rel = layout.raw_tmdb_file(spec, date(2026, 11, 26), run, chunk, part)
    except LakePathError:
        return
    parsed = layout.parse_raw_file(rel)
    assert (parsed.spec, parsed.day) == (spec, date(2026, 11, 26))
    assert layout.relative_path(rel) == rel


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
records = st.lists(
    st.fixed_dictionaries({"id": st.integers(1, 10**8)}, optional={"x": json_values, "title": st.text()}),
    max_size=120,
)


@settings(max_examples=60, deadline=None)
@given(rows=records, max_bytes=st.sampled_from([400, 4_000, 10 * 1024 * 1024]))
def test_batch_writer_stores_every_record_once_in_order_within_the_limits(
    rows: list[dict[str, Any]], max_bytes: int
) -> None:
    from cinelake.lake.batch import RecordTooLargeError, encode_record

    lake = Lake(f"memory://prop-{uuid.uuid4().hex}")
    day, run = date(2026, 11, 26), "20261126-csv-abc"
    writer = RawBatchWriter(lake, Origin.TMDB, "Movies", day, run, max_bytes=max_bytes)
    if any(len(encode_record(r)) > max_bytes for r in rows):
        with pytest.raises(RecordTooLargeError):
            writer.write_chunk(7, rows)
        assert lake.list_files("Raw", include_hidden=True) == []
        return
    written = writer.write_chunk(7, rows)
    back = [r for f in written for r in read_records(lake, f.path)]
    assert back == rows
    assert all(1 <= f.records <= 100 and f.bytes <= max_bytes for f in written)
    assert sorted(lake.list_files("Raw", include_hidden=True)) == sorted(f.path for f in written)
    # The same records again: the same names and bytes (a rerun rewrites, never adds).
    again = writer.write_chunk(7, rows, stale=[f.path for f in written])
    assert again == written


# A chunk's misses: put (a first attempt or a redo, which replaces) or dropped (its files were damaged).
spool_steps = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=8),
        st.none() | st.lists(st.tuples(st.text(max_size=12), st.text(max_size=30)), max_size=5),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(steps=spool_steps)
def test_the_miss_spool_holds_the_latest_misses_of_each_chunk_in_chunk_order(
    steps: list[tuple[int, list[tuple[str, str]] | None]],
) -> None:
    from cinelake.ingest.tmdb_runs import TmdbRunBook
    from cinelake.lake.manifest import Miss, MissSpool

    model: dict[int, list[Miss]] = {}
    with MissSpool() as spool:
        for chunk, misses in steps:
            if misses is None:
                spool.drop(chunk)
                model.pop(chunk, None)
            else:
                spool.put(chunk, [Miss(id=i, reason=r) for i, r in misses])
                model[chunk] = [Miss(id=i, reason=r) for i, r in misses]
        expected = [m for k in sorted(model) for m in model[k]]
        assert spool.count == len(expected)
        assert spool.first(3) == expected[:3]
        book = TmdbRunBook(Lake(f"memory://p{uuid.uuid4().hex[:10]}"), "run1")
        book.save_misses(spool)
        assert list(book.iter_misses()) == expected
