"""Raw -> Trusted on DuckDB, on Raw files made of real TMDB data and the challenge's CSV samples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from cinelake.engines import raw_to_trusted
from cinelake.errors import InputFileError, UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Kind, Origin
from cinelake.lake.store import Lake
from cinelake.tables.datasets import DATASETS
from cinelake.tables.registry import trusted_table
from cinelake.tables.store import data_files, load
from tests.spark.lakes import DAY1, DAY2, FIGHT_CLUB, FIGHT_CLUB_IMDB, LOCAL_HEADER, jsonl
from tests.transform.conftest import Pipeline

pytestmark = [pytest.mark.integration]

MOVIES = "{Trusted/TMDB/PARQUET/Movies}"
LOCAL = "{Trusted/Local/PARQUET/Movies}"


def test_partitions_are_the_raw_days(pipeline: Pipeline) -> None:
    written = {(p.dataset, p.day): p for p in pipeline.trusted.written}
    assert set(written) == {
        ("TMDB/Movies", DAY1),
        ("TMDB/Movies", DAY2),
        ("TMDB/Series", DAY1),
        ("Local/Movies", DAY1),
        ("Local/Movies", DAY2),
        ("Local/Series", DAY1),
    }
    day1 = written[("TMDB/Movies", DAY1)]
    assert day1.rows == len(pipeline.raw.day1_ids)
    # Every record line is read: the malformed one and the same-day duplicate too.
    assert day1.input_rows == len(pipeline.raw.day1_ids) + pipeline.raw.malformed_lines + 1
    rows = pipeline.sql(f"SELECT dt, count(*) FROM {MOVIES} GROUP BY dt ORDER BY dt")
    assert rows == [(DAY1, len(pipeline.raw.day1_ids)), (DAY2, len(pipeline.raw.day2_ids))]


def test_typed_columns(pipeline: Pipeline) -> None:
    partition = layout.trusted_partition(Origin.TMDB, "Movies", DAY1)
    files = [f for f in pipeline.lake.list_files(partition) if f.endswith(".parquet")]
    schema = pq.read_schema(pipeline.lake.uri(files[0]))
    types = {name: str(schema.field(name).type) for name in schema.names}
    assert types["tmdb_id"] == "int64"
    assert types["release_date"] == "date32[day]"
    assert types["budget"] == types["revenue"] == types["vote_count"] == "int64"
    assert types["runtime"] == types["release_year"] == "int32"
    assert types["popularity"] == types["vote_average"] == "double"
    assert types["genres"] == "list<element: string>"
    assert types["genre_ids"] == "list<element: int64>"
    assert types["director"] == "string"
    assert types["dt"] == "date32[day]"  # kept in the file too: Iceberg takes partition values from the data


def test_one_row_per_id_per_day_and_the_last_file_wins(pipeline: Pipeline) -> None:
    assert pipeline.sql(f"SELECT max(n) FROM (SELECT count(*) n FROM {MOVIES} GROUP BY tmdb_id, dt)") == [
        (1,)
    ]
    popularity = pipeline.sql(
        f"SELECT popularity FROM {MOVIES} WHERE tmdb_id = {pipeline.raw.duplicated_id} AND dt = DATE '{DAY1}'"
    )
    assert popularity == [(pipeline.raw.duplicate_popularity,)]


def test_zero_budget_is_unknown_and_absent_fields_are_null(pipeline: Pipeline) -> None:
    assert pipeline.sql(f"SELECT count(*) FROM {MOVIES} WHERE budget = 0 OR revenue = 0 OR runtime = 0") == [
        (0,)
    ]
    zero = pipeline.sql(f"SELECT budget FROM {MOVIES} WHERE tmdb_id = {pipeline.raw.zero_budget_id}")
    assert zero == [(None,)]
    bare = pipeline.sql(
        f"SELECT title, budget, release_date, genres, director, top_cast FROM {MOVIES} "
        f"WHERE tmdb_id = {pipeline.raw.bare_id}"
    )
    assert bare == [("Bare", None, None, None, None, None)]


def test_credits_genres_and_companies(pipeline: Pipeline) -> None:
    # Four Rooms (TMDB 5) in the snapshot: four directors, Tim Roth billed first, names-only companies.
    row = pipeline.sql(
        f"SELECT director, directors, top_cast[1].name, len(top_cast), genres, genre_ids, "
        f"production_companies[1], release_date, imdb_id FROM {MOVIES} WHERE tmdb_id = 5"
    )
    director, directors, first_cast, cast_size, genres, genre_ids, company, released, imdb = row[0]
    assert director == "Allison Anders" and len(directors) == 4
    assert first_cast == "Tim Roth" and cast_size == 5
    assert genres == ["Comedy"] and genre_ids == [35]
    assert company == {"id": None, "name": "Miramax Films", "origin_country": None}
    assert str(released) == "1995-12-25" and imdb == "tt0113101"
    fight = pipeline.sql(
        f"SELECT revenue, production_countries, spoken_languages FROM {MOVIES} "
        f"WHERE tmdb_id = {FIGHT_CLUB} ORDER BY dt"
    )
    assert [r[0] for r in fight] == [100853753, 2800000000]
    assert fight[0][1] == [
        {"code": "DE", "name": "Germany"},
        {"code": "US", "name": "United States of America"},
    ]
    assert fight[0][2] == [{"code": "en", "name": "English"}]


def test_series(pipeline: Pipeline) -> None:
    rows = pipeline.sql(
        "SELECT tmdb_id, imdb_id, title, first_air_date, runtime, creators, genre_ids "
        "FROM {Trusted/TMDB/PARQUET/Series}"
    )
    assert len(rows) == 1
    tmdb_id, imdb_id, title, first_air, runtime, creators, genre_ids = rows[0]
    assert (tmdb_id, imdb_id, title, str(first_air), runtime) == (
        1399,
        "tt0944947",
        "Game of Thrones",
        "2011-04-17",
        60,
    )
    assert creators == ["David Benioff", "D. B. Weiss"] and genre_ids == [10765, 18]


def test_local_csv_one_row_per_title_with_artists(pipeline: Pipeline) -> None:
    counts = pipeline.sql(
        f"SELECT dt, count(*), count(DISTINCT imdb_id) FROM {LOCAL} GROUP BY dt ORDER BY dt"
    )
    # 14 and 12 distinct titles in the two samples, plus Fight Club on each day.
    assert counts == [(DAY1, 15, 15), (DAY2, 13, 13)]
    miss_jerry = pipeline.sql(
        f"SELECT title, release_year, runtime, genres, imdb_rating, imdb_votes, artists FROM {LOCAL} "
        "WHERE imdb_id = 'tt0000009'"
    )
    title, year, runtime, genres, rating, votes, artists = miss_jerry[0]
    assert (title, year, runtime, genres, rating, votes) == ("Miss Jerry", 1894, 45, ["Romance"], 5.3, 200)
    assert [a["name"] for a in artists] == ["Blanche Bayliss", "Chauncey Depew", "William Courtenay"]
    courtenay = artists[2]
    assert courtenay["known_for_titles"] == ["tt0021535", "tt0000009", "tt0020355", "tt0020403"]
    assert courtenay["birth_year"] == 1875 and courtenay["professions"] == ["actor"]
    # \N is null, not the text "\N".
    bohemios = pipeline.sql(f"SELECT genres, artists FROM {LOCAL} WHERE imdb_id = 'tt0000502'")[0]
    assert bohemios[0] is None
    assert {a["character"] for a in bohemios[1]} == {None} and {a["birth_year"] for a in bohemios[1]} == {
        None
    }
    series = pipeline.sql("SELECT count(*), count(end_year) FROM {Trusted/Local/PARQUET/Series}")
    assert series[0][0] == 16 and series[0][1] > 0
    fight = pipeline.sql(
        f"SELECT dt, imdb_rating FROM {LOCAL} WHERE imdb_id = '{FIGHT_CLUB_IMDB}' ORDER BY dt"
    )
    assert fight == [(DAY1, 8.7), (DAY2, 8.8)]


def _files(lake: Lake, day: Any) -> set[str]:
    """The data files of the Trusted local movies' current snapshot in the ``dt`` partition of ``day``."""
    return {f for f in data_files(lake, trusted_table(DATASETS[2])) if f"/dt={day.isoformat()}/" in f}


def test_reruns_skip_done_days_and_overwrite_only_their_own(real_data: Path, tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    compass = real_data / "compass_uol_sample"
    lake.copy_in(compass / "movies_subset_1.csv", layout.raw_local_csv_file(Kind.MOVIES, DAY1, "movies.csv"))
    lake.copy_in(compass / "movies_subset_2.csv", layout.raw_local_csv_file(Kind.MOVIES, DAY2, "movies.csv"))

    first = raw_to_trusted(lake, catalog="none")
    assert [(p.day, p.status, p.rows) for p in first.partitions] == [
        (DAY1, "written", 14),
        (DAY2, "written", 12),
    ]
    day1_files, day2_files = _files(lake, DAY1), _files(lake, DAY2)

    # A rerun over unchanged Raw commits nothing, and says so.
    snapshots = len(load(lake, trusted_table(DATASETS[2])).snapshots())  # type: ignore[union-attr]
    said: list[str] = []
    again = raw_to_trusted(lake, catalog="none", progress=said.append)
    assert [p.status for p in again.partitions] == ["skipped", "skipped"]
    assert any(line.startswith("nothing to do") for line in said)
    assert len(load(lake, trusted_table(DATASETS[2])).snapshots()) == snapshots  # type: ignore[union-attr]
    assert _files(lake, DAY1) == day1_files and _files(lake, DAY2) == day2_files

    # A day that received another file is rebuilt; the other day is left alone.
    row = "tt0137523|Fight Club|Fight Club|1999|139|Drama|8.8|2200000|actor|\\N|Edward Norton|1969|\\N|a|\\N"
    lake.write_bytes(
        layout.raw_local_csv_file(Kind.MOVIES, DAY2, "more.csv"), f"{LOCAL_HEADER}\n{row}\n".encode()
    )
    third = raw_to_trusted(lake, catalog="none")
    assert [(p.day, p.status, p.rows) for p in third.partitions] == [
        (DAY1, "skipped", 0),
        (DAY2, "written", 13),
    ]
    assert _files(lake, DAY1) == day1_files and _files(lake, DAY2) != day2_files

    forced = raw_to_trusted(lake, day=DAY1, force=True, catalog="none")
    assert [(p.day, p.status, p.rows) for p in forced.partitions] == [(DAY1, "written", 14)]
    assert _files(lake, DAY1) != day1_files and len(_files(lake, DAY2)) == 1

    with pytest.raises(UsageError, match="no Raw data for 2026-01-01"):
        raw_to_trusted(lake, day=DAY1.replace(month=1, day=1))


def _written(lake: Lake) -> list[str]:
    return lake.list_files("Trusted", include_hidden=True) + lake.list_files("Refined", include_hidden=True)


def test_a_csv_that_is_not_the_challenge_format_is_refused(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    lake.write_bytes(layout.raw_local_csv_file(Kind.MOVIES, DAY1, "other.csv"), b"a|b\n1|2\n")
    with pytest.raises(InputFileError, match=r"other\.csv: not the challenge's movies CSV: missing columns"):
        raw_to_trusted(lake, catalog="none")
    assert [f for f in _written(lake) if "_locks" not in f] == []


@pytest.mark.parametrize(
    "body",
    [
        b'[{"id": 1, "title": "a"}, {"id": 2, "title": "b"}]\n',  # a JSON array, not lines
        b'{\n  "id": 1,\n  "title": "pretty-printed"\n}\n',
        b"\x89PNG\r\n\x1a\n\x00\x00binary",
        b"id|title\n1|csv in a .json file\n",
    ],
    ids=["array", "pretty", "binary", "csv"],
)
def test_a_raw_file_that_is_not_json_lines_is_refused_and_nothing_is_written(
    body: bytes, tmp_path: Path
) -> None:
    lake = Lake(str(tmp_path))
    good = layout.raw_tmdb_file("Movies", DAY1, "run-a", 1)
    lake.write_bytes(good, jsonl([{"id": 5, "title": "Four Rooms"}]))
    lake.write_bytes(layout.raw_tmdb_file("Movies", DAY1, "run-a", 2), body)
    with pytest.raises(InputFileError, match=r"run-a-00002\.json: not (JSON Lines|UTF-8 text)"):
        raw_to_trusted(lake, catalog="none")
    assert [f for f in _written(lake) if "_locks" not in f] == []


def test_a_lake_url_that_does_not_exist_is_refused_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-lake"
    with pytest.raises(UsageError, match="no lake at"):
        raw_to_trusted(Lake(str(missing)))
    assert not missing.exists()


def test_files_of_a_write_that_never_committed_are_not_seen_and_the_rerun_commits(tmp_path: Path) -> None:
    """A kill after the Parquet files were written and before the commit: the files belong to no
    snapshot (readers see the previous one) and the rerun builds the day again."""
    lake = Lake(str(tmp_path))
    lake.write_bytes(layout.raw_tmdb_file("Movies", DAY1, "run-a", 1), jsonl([{"id": 5, "title": "A"}]))
    raw_to_trusted(lake, catalog="none")
    table = trusted_table(DATASETS[0])
    before = data_files(lake, table)
    stray = f"{layout.trusted_partition(Origin.TMDB, 'Movies', DAY1)}/part-dead-0.parquet"
    lake.fs.cp_file(before[0].removeprefix("file://"), lake.fs_path(stray))
    assert data_files(lake, table) == before  # not registered: not read
    lake.write_bytes(layout.raw_tmdb_file("Movies", DAY1, "run-a", 2), jsonl([{"id": 6, "title": "B"}]))
    again = raw_to_trusted(lake, catalog="none")
    assert [(p.status, p.rows) for p in again.partitions] == [("written", 2)]
    assert load(lake, table).scan().to_arrow().num_rows == 2  # type: ignore[union-attr]


def test_a_day_an_ingest_run_is_still_writing_is_skipped_until_the_run_completes(tmp_path: Path) -> None:
    """Only complete days: a Raw day one of whose ingest runs has not finished (a plan, and a manifest
    that is not complete) is left for a later transform, with one line naming the run."""
    from datetime import UTC, datetime

    from cinelake.ingest.tmdb_runs import TmdbRunBook, TmdbRunManifest
    from cinelake.lake.manifest import Counts

    lake = Lake(str(tmp_path))
    lake.write_bytes(layout.raw_tmdb_file("Movies", DAY1, "run-a", 1), jsonl([{"id": 5, "title": "A"}]))
    lake.write_bytes(layout.raw_tmdb_file("Movies", DAY2, "run-b", 1), jsonl([{"id": 6, "title": "B"}]))
    book = TmdbRunBook(lake, "run-b")
    lake.write_bytes(book.plan_path, b"{}")  # run-b has started
    manifest = TmdbRunManifest(
        run="run-b", status="running", generation="g", parameters={}, started_at=datetime.now(UTC),
        counts=Counts(), chunks_total=2, chunks_done=1,
    )  # fmt: skip
    book.save_manifest(manifest)
    said: list[str] = []
    first = raw_to_trusted(lake, catalog="none", progress=said.append)
    assert [(p.day, p.status) for p in first.partitions] == [(DAY1, "written")]  # run-a: no bookkeeping
    assert "TMDB/Movies 2026-11-26: skipped, ingest run run-b has not finished" in said

    book.save_manifest(manifest.model_copy(update={"status": "complete", "chunks_done": 2}))
    second = raw_to_trusted(lake, catalog="none")
    assert [(p.day, p.status) for p in second.partitions] == [(DAY1, "skipped"), (DAY2, "written")]
