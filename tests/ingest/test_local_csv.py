"""Local CSV ingest: the real challenge samples, and each kind of bad file."""

from __future__ import annotations

import gzip
import hashlib
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cinelake.cli import app
from cinelake.errors import InputFileError, UsageError
from cinelake.ingest.local_csv import (
    MOVIES_COLUMNS,
    SERIES_COLUMNS,
    ingest_local,
    parse_genres,
    read_imdb_ids,
    validate_csv,
)
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake

DAY = date(2026, 11, 26)
HEADER = "|".join(MOVIES_COLUMNS)
ROW = (
    "tt0000009|Miss Jerry|Miss Jerry|1894|45|Romance|5.3|200|actress|\"Jerry\"|Blanche|1878|1951|"
    "actress|tt0000009"
)


@pytest.fixture()
def samples(real_data: Path) -> list[Path]:
    folder = real_data / "compass_uol_sample"
    return sorted(folder.glob("*.csv"))


def test_real_samples_are_copied_byte_for_byte(samples: list[Path], tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    done = ingest_local(lake, samples, day=DAY)
    kinds = {Path(d.source).name: d.kind for d in done}
    assert kinds == {
        "movies_subset_1.csv": Kind.MOVIES,
        "movies_subset_2.csv": Kind.MOVIES,
        "series_subset.csv": Kind.SERIES,
    }
    for item, source in zip(done, samples, strict=True):
        data = source.read_bytes()
        assert lake.read_bytes(item.path) == data
        assert item.sha256 == hashlib.sha256(data).hexdigest()
        assert item.path == f"Raw/Local/CSV/{item.kind.value}/2026/11/26/{source.name}"
    assert [d.rows for d in done] == [50, 50, 100]


def test_real_samples_into_s3(samples: list[Path], aws_env: str) -> None:
    from tests.lake.conftest import make_s3_lake

    lake = make_s3_lake(aws_env)
    done = ingest_local(lake, samples[:1], day=DAY)
    assert lake.sha256(done[0].path) == hashlib.sha256(samples[0].read_bytes()).hexdigest()


def test_kind_flag_must_agree_with_the_header(samples: list[Path], tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    series = [s for s in samples if s.name.startswith("series")]
    with pytest.raises(InputFileError, match="series format but --kind movies"):
        ingest_local(lake, series, day=DAY, kind="movies")
    assert ingest_local(lake, series, day=DAY, kind="series")[0].kind is Kind.SERIES


def test_bom_crlf_and_quotes_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "movies.csv"
    path.write_bytes(("\ufeff" + HEADER + "\r\n" + ROW + "\r\n").encode())
    info = validate_csv(path)
    assert (info.kind, info.rows) == (Kind.MOVIES, 1)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


BAD_FILES = {
    "empty": (b"", "the file is empty"),
    "comma": (HEADER.replace("|", ",").encode() + b"\n", "wrong delimiter: the header is separated by ','"),
    "semicolon": (HEADER.replace("|", ";").encode() + b"\n", "separated by ';'"),
    "no_id": (("|".join(["code", *MOVIES_COLUMNS[1:]]) + "\n" + ROW + "\n").encode(), "no id column"),
    "bad_id": (
        (HEADER + "\n" + ROW.replace("tt0000009|", "nm123|", 1) + "\n").encode(),
        "invalid IMDB id 'nm123'",
    ),
    "short_row": (
        (HEADER + "\n" + ROW.rsplit("|", 1)[0] + "\n").encode(),
        "line 2: 14 fields where the header has 15",
    ),
    "header_only": ((HEADER + "\n").encode(), "a header but no rows"),
    "binary": (b"\x00\x01\x02\xff" * 64, "binary data"),
    "latin1": ((HEADER + "\n" + ROW.replace("Jerry", "J\xe9rry") + "\n").encode("latin-1"), "not UTF-8"),
    "gzip": (gzip.compress((HEADER + "\n" + ROW + "\n").encode()), "a gzip file"),
    "other_columns": (b"id|a|b\ntt1|x|y\n", "matches neither the movies format"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_are_refused_and_nothing_is_written(case: str, samples: list[Path], tmp_path: Path) -> None:
    data, message = BAD_FILES[case]
    bad = write(tmp_path, f"{case}.csv", data)
    lake = Lake(str(tmp_path / "lake"))
    with pytest.raises(InputFileError, match=message) as raised:
        ingest_local(lake, [samples[0], bad], day=DAY)
    assert str(bad) in str(raised.value)
    assert "\n" not in str(raised.value)
    assert raised.value.exit_code == 2
    assert not (tmp_path / "lake").exists()


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        validate_csv(tmp_path / "nope.csv")
    with pytest.raises(InputFileError, match="a folder"):
        validate_csv(tmp_path)


def test_the_cli_gives_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = write(tmp_path, "movies.csv", HEADER.replace("|", ",").encode() + b"\n")
    from cinelake.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["ingest", "local", str(bad), "--lake", str(tmp_path / "lake")])
    assert exited.value.code == 2
    assert not (tmp_path / "lake").exists()


def test_the_cli_copies(samples: list[Path], tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["ingest", "local", *map(str, samples), "--lake", str(tmp_path / "lake"), "--date", "2026-11-26"]
    )
    assert result.exit_code == 0, result.output
    assert "Series" in result.output and "18,506" in result.output
    assert (tmp_path / "lake/Raw/Local/CSV/Series/2026/11/26/series_subset.csv").exists()


def test_bad_flags(tmp_path: Path, samples: list[Path]) -> None:
    from cinelake.cli import main

    for args in (["--date", "2026-13-01"], ["--kind", "films"]):
        with pytest.raises(SystemExit) as exited:
            main(["ingest", "local", str(samples[0]), "--lake", str(tmp_path / "lake"), *args])
        assert exited.value.code == 2


def test_read_imdb_ids_by_genre(tmp_path: Path) -> None:
    rows = [
        ROW,
        ROW.replace("tt0000009", "tt0000010").replace("|Romance|", "|Comedy,Drama|"),
        ROW.replace("tt0000009", "tt0000011").replace("|Romance|", "|Action,animation|"),
        ROW.replace("tt0000009", "tt0000010").replace("|Romance|", "|Comedy,Drama|"),
        ROW.replace("tt0000009", "tt0000012").replace("|Romance|", "|\\N|"),
    ]
    path = write(tmp_path, "movies.csv", ("\n".join([HEADER, *rows]) + "\n").encode())
    assert read_imdb_ids(path, ("Comedy", "Animation")) == ["tt0000010", "tt0000011"]
    assert read_imdb_ids(path, "romance") == ["tt0000009"]
    assert read_imdb_ids(path, "all") == ["tt0000009", "tt0000010", "tt0000011", "tt0000012"]
    lake = Lake(str(tmp_path / "lake"))
    [done] = ingest_local(lake, [path], day=DAY)
    assert read_imdb_ids(done.path, "Comedy", lake=lake) == ["tt0000010"]
    assert read_imdb_ids(lake.uri(done.path), "Comedy") == ["tt0000010"]
    assert read_imdb_ids(f"file://{lake.uri(done.path)}", "Comedy", lake=lake) == ["tt0000010"]
    with pytest.raises(InputFileError, match="series"):
        read_imdb_ids(path, "all", kind=Kind.SERIES)


def test_read_imdb_ids_of_real_series(samples: list[Path]) -> None:
    series = next(s for s in samples if s.name.startswith("series"))
    ids = read_imdb_ids(series, "all")
    assert len(ids) == 16 and ids == sorted(set(ids))
    assert len(SERIES_COLUMNS) == 16


def test_parse_genres() -> None:
    assert parse_genres("Comedy, Animation,,Comedy") == ("Comedy", "Animation")
    assert parse_genres("ALL") == ("all",)
    for empty in ("", " , ", None):
        with pytest.raises(UsageError):
            parse_genres(empty)
