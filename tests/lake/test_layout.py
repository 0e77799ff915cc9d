"""The layout functions: examples and properties (hypothesis)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cinelake.errors import LakePathError
from cinelake.lake import layout
from cinelake.lake.layout import Format, Kind, Origin

days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
runs = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,40}\Z")
names = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,30}\.(csv|json)\Z")


def test_examples() -> None:
    day = date(2026, 11, 26)
    assert layout.raw_local_csv_file(Kind.MOVIES, day, "movies.csv") == (
        "Raw/Local/CSV/Movies/2026/11/26/movies.csv"
    )
    expected = "Raw/TMDB/JSON/Movies/2026/11/26/movies-r1-00001.json"
    assert layout.raw_tmdb_file("Movies", day, "r1", 1) == expected
    assert layout.run_manifest("r1") == "Raw/TMDB/_runs/r1/manifest.json"
    assert layout.trusted_partition(Origin.TMDB, "Movies", day) == "Trusted/TMDB/PARQUET/Movies/dt=2026-11-26"


@given(days)
def test_date_path_round_trips(day: date) -> None:
    assert layout.parse_date_path(layout.date_path(day)) == day


@given(kind=st.sampled_from(list(Kind)), day=days, name=names)
def test_raw_local_file_parses_back(kind: Kind, day: date, name: str) -> None:
    path = layout.raw_local_csv_file(kind, day, name)
    parsed = layout.parse_raw_file(path)
    assert (parsed.origin, parsed.fmt, parsed.spec, parsed.day, parsed.name) == (
        Origin.LOCAL,
        Format.CSV,
        kind.value,
        day,
        name,
    )
    assert parsed.path == path
    assert not layout.has_hidden_part(path)


@given(day=days, run=runs, chunk=st.integers(1, 99_999), other=st.integers(1, 99_999))
def test_raw_tmdb_names_are_deterministic_and_distinct(day: date, run: str, chunk: int, other: int) -> None:
    path = layout.raw_tmdb_file("Movies", day, run, chunk)
    assert path == layout.raw_tmdb_file("Movies", day, run, chunk)
    assert (path == layout.raw_tmdb_file("Movies", day, run, other)) == (chunk == other)
    assert layout.parse_raw_file(path).day == day
    assert layout.relative_path(path) == path


@given(day=days, run=runs, chunk=st.integers(1, 9_999), part=st.integers(2, 99))
def test_spill_parts_never_collide_with_chunk_files(day: date, run: str, chunk: int, part: int) -> None:
    spill = layout.raw_tmdb_file("Movies", day, run, chunk, part)
    assert spill != layout.raw_tmdb_file("Movies", day, run, chunk)
    first = layout.raw_tmdb_file("Movies", day, run, chunk)
    assert layout.raw_tmdb_file("Movies", day, run, chunk, 1) == first
    assert layout.parse_raw_file(spill).name.endswith(".json")


@pytest.mark.parametrize("chunk", [0, -1, 100_000])
def test_chunk_out_of_range(chunk: int) -> None:
    with pytest.raises(LakePathError):
        layout.raw_tmdb_file("Movies", date(2026, 1, 1), "r", chunk)


@given(st.lists(st.sampled_from(["a", "b", "..", ".", "", "c"]), min_size=1, max_size=8))
def test_relative_path_never_escapes(parts: list[str]) -> None:
    path = "/".join(parts)
    try:
        rel = layout.relative_path(path)
    except LakePathError:
        assert ".." in parts
    else:
        assert ".." not in rel.split("/")
        assert not rel.startswith("/")


@pytest.mark.parametrize("name", ["../x", ".hidden", "a/b", "", "x" * 300, "a..b"])
def test_bad_file_names(name: str) -> None:
    with pytest.raises(LakePathError):
        layout.file_name(name)


def test_hidden_parts() -> None:
    assert layout.has_hidden_part("Raw/TMDB/_runs/x/manifest.json")
    assert layout.has_hidden_part("Raw/.a.tmp")
    assert not layout.has_hidden_part("Raw/TMDB/JSON/Movies/2026/11/26/movies-r-00001.json")
