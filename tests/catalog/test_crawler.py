"""The crawler on a local lake: datasets, both partition layouts, incremental crawls, schema changes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cinelake.catalog import crawl, open_backend, update_catalog
from cinelake.catalog.listing import format_tables
from cinelake.catalog.local import LocalCatalog
from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from tests.catalog.lakes import (
    detail_records,
    snapshot_records,
    trusted_rows,
    write_raw_csv,
    write_raw_json,
    write_trusted,
)

Lakes = tuple[Lake, dict[str, int]]


def test_first_crawl_finds_every_dataset(full_lake: Lakes) -> None:
    lake, records = full_lake
    summary = crawl(lake, sample=None)
    assert summary.database == "cinelake" and summary.database_created
    assert {t.table for t in summary.tables} == set(records)
    assert all(t.action == "created" for t in summary.tables)
    for name, count in records.items():
        assert summary.table(name).records == count, name
        assert summary.table(name).records_exact
    catalog = LocalCatalog(lake)
    assert lake.exists("_catalog/cinelake/database.json")
    assert [t.name for t in catalog.list_tables()] == sorted(records)


def test_bookkeeping_and_temp_files_are_invisible(full_lake: Lakes) -> None:
    lake, _ = full_lake
    summary = crawl(lake, zone="Raw")
    raw = summary.table("raw_tmdb_movies")
    assert raw.files == 3 and raw.skipped_files == 0  # the .tmp file and _runs/ never show up
    assert not any(t.table.startswith("raw_tmdb__") for t in summary.tables)
    assert summary.table("raw_local_movies").files == 2


def test_date_folders_become_year_month_day_partitions(full_lake: Lakes) -> None:
    lake, _ = full_lake
    crawl(lake, zone="Raw")
    catalog = LocalCatalog(lake)
    table = catalog.get_table("raw_tmdb_movies")
    assert table is not None
    assert [(k.name, k.type) for k in table.partition_keys] == [
        ("year", "string"),
        ("month", "string"),
        ("day", "string"),
    ]
    parts = catalog.get_partitions("raw_tmdb_movies")
    assert [p.values for p in parts] == [("2026", "11", "25"), ("2026", "11", "26")]
    assert [p.num_files for p in parts] == [1, 2]
    assert parts[1].location == lake.uri("Raw/TMDB/JSON/Movies/2026/11/26") + "/"
    assert table.parameters["storage.location.template"].endswith(
        "/Raw/TMDB/JSON/Movies/${year}/${month}/${day}/"
    )
    assert table.classification == "json"
    columns = {c.name: c.type for c in table.columns}
    assert columns["genres"] == "array<struct<id:bigint,name:string>>"
    assert "cast:array<struct<" in columns["credits"]


def test_hive_folders_become_their_keys(full_lake: Lakes) -> None:
    lake, _ = full_lake
    crawl(lake, zone="Trusted")
    catalog = LocalCatalog(lake)
    table = catalog.get_table("trusted_tmdb_movies")
    assert table is not None and table.classification == "parquet"
    assert [k.name for k in table.partition_keys] == ["dt"]
    assert [p.values for p in catalog.get_partitions("trusted_tmdb_movies")] == [
        ("2026-11-25",),
        ("2026-11-26",),
    ]
    assert table.parameters["projection.dt.type"] == "date"
    assert {c.name: c.type for c in table.columns}["release_date"] == "date"
    assert table.record_count == 3  # from the footers


def test_refined_tables_keep_their_own_name(full_lake: Lakes) -> None:
    lake, _ = full_lake
    summary = crawl(lake, zone="refined")
    assert [t.table for t in summary.tables] == ["fact_movie"]
    table = LocalCatalog(lake).get_table("fact_movie")
    assert table is not None and table.partition_keys == () and table.record_count == 2


def test_incremental_crawl_reads_only_the_new_day(lake: Lake, real_data: Path) -> None:
    records = detail_records(real_data)
    for day in (25, 26):
        for chunk in (1, 2, 3, 4):
            write_raw_json(lake, date(2026, 11, day), records, chunk=chunk)
    first = crawl(lake, sample=2)
    assert first.table("raw_tmdb_movies").files_read == 8  # 2 per partition for the schema, all for counts
    again = crawl(lake, sample=2)
    assert again.unchanged == 1 and again.files_read == 0 and again.partitions_added == 0

    for chunk in (1, 2, 3):
        write_raw_json(lake, date(2026, 11, 27), records, chunk=chunk)
    third = crawl(lake, sample=2)
    change = third.table("raw_tmdb_movies")
    assert change.action == "updated"
    assert change.partitions_added == 1 and change.partitions_updated == 0 and change.files_read == 3
    parts = LocalCatalog(lake).get_partitions("raw_tmdb_movies")
    assert [p.values[2] for p in parts] == ["25", "26", "27"]
    assert change.records == 22 and change.records_exact  # 2 records x 11 files

    # one more file in an old partition: only that partition is read again
    write_raw_json(lake, date(2026, 11, 25), records, chunk=5)
    fourth = crawl(lake, sample=2)
    assert fourth.table("raw_tmdb_movies").partitions_updated == 1
    assert fourth.table("raw_tmdb_movies").files_read == 5


def test_a_crawl_removes_the_temp_files_a_killed_crawl_left(lake: Lake, real_data: Path) -> None:
    """A crawl killed between writing a catalog file's temp copy and renaming it leaves the temp file;
    the next crawl (holding the crawl lock) deletes it and keeps the catalog's real files."""
    write_raw_json(lake, date(2026, 11, 25), detail_records(real_data))
    crawl(lake)
    tables = "_catalog/cinelake/tables"
    left = f"{tables}/.raw_tmdb_movies.json.tmp-0123456789abcdef"
    lake.write_bytes(left, b'{"half": ')
    before = sorted(lake.list_files("_catalog"))
    crawl(lake)
    assert not lake.exists(left)
    assert sorted(lake.list_files("_catalog")) == before
    assert LocalCatalog(lake).get_table("raw_tmdb_movies") is not None


def test_removed_partitions_leave_the_catalog(lake: Lake, real_data: Path) -> None:
    records = detail_records(real_data)
    write_raw_json(lake, date(2026, 11, 25), records)
    gone = write_raw_json(lake, date(2026, 11, 26), records)
    crawl(lake)
    lake.delete(gone.rsplit("/", 1)[0])
    summary = crawl(lake)
    assert summary.table("raw_tmdb_movies").partitions_removed == 1
    assert [p.values for p in LocalCatalog(lake).get_partitions("raw_tmdb_movies")] == [("2026", "11", "25")]


def test_schema_change_is_merged_and_reported(lake: Lake, real_data: Path) -> None:
    records = detail_records(real_data)
    write_raw_json(lake, date(2026, 11, 25), [{"id": 1, "score": 3}])
    crawl(lake)
    write_raw_json(lake, date(2026, 11, 26), [{"id": 2, "score": 3.5, "title": records[0]["title"]}])
    summary = crawl(lake, schema_change="update")
    changes = {(c.column, c.old, c.new, c.applied) for c in summary.schema_changes}
    assert changes == {("score", "bigint", "double", True), ("title", None, "string", True)}
    table = LocalCatalog(lake).get_table("raw_tmdb_movies")
    assert table is not None
    assert [(c.name, c.type) for c in table.columns] == [
        ("id", "bigint"),
        ("score", "double"),
        ("title", "string"),
    ]


def test_schema_change_log_policy_keeps_the_schema(lake: Lake) -> None:
    write_raw_json(lake, date(2026, 11, 25), [{"id": 1}])
    crawl(lake)
    write_raw_json(lake, date(2026, 11, 26), [{"id": 2, "extra": True}])
    summary = crawl(lake, schema_change="log")
    assert [(c.column, c.applied) for c in summary.schema_changes] == [("extra", False)]
    table = LocalCatalog(lake).get_table("raw_tmdb_movies")
    assert table is not None and [c.name for c in table.columns] == ["id"]
    assert len(LocalCatalog(lake).get_partitions("raw_tmdb_movies")) == 2  # the partition is still added


def test_a_sampled_crawl_counts_every_record(lake: Lake, real_data: Path) -> None:
    """The sample gives the schema; the counts come from every file, so `catalog tables` shows the
    exact number (files of unequal sizes once made an estimate like ~4,286 for 4,229 records)."""
    records = detail_records(real_data)
    for chunk, count in enumerate((2, 1, 2, 2, 1), start=1):
        write_raw_json(lake, date(2026, 11, 25), records[:count], chunk=chunk)
    for name, rows in (("a.csv", 37), ("b.csv", 3)):
        text = "tconst|titulo\n" + "".join(f"tt{i:07d}|Title {i}\n" for i in range(rows))
        lake.write_bytes(layout.raw_local_csv_file(Kind.MOVIES, date(2026, 11, 25), name), text.encode())
    summary = crawl(lake, sample=1)
    change = summary.table("raw_tmdb_movies")
    assert change.records_exact and change.records == 8 and change.files_read == 5
    grid = format_tables(LocalCatalog(lake).list_tables())
    shown = dict(zip(grid.columns[0].cells, grid.columns[4].cells, strict=True))
    assert shown["raw_tmdb_movies"] == "8"
    assert [t.name for t in LocalCatalog(lake).list_tables()] == ["raw_local_movies", "raw_tmdb_movies"]
    assert shown["raw_local_movies"] == "40"


def test_update_catalog_needs_an_existing_catalog(full_lake: Lakes, real_data: Path) -> None:
    lake, _ = full_lake
    assert update_catalog(lake, zone="Trusted") is None
    assert not lake.exists("_catalog")
    crawl(lake, zone="Raw")
    summary = update_catalog(lake, zone="Trusted")
    assert summary is not None and [t.table for t in summary.tables] == ["trusted_tmdb_movies"]
    write_trusted(lake, date(2026, 11, 27), trusted_rows(detail_records(real_data)))
    later = update_catalog(lake, zone="Trusted")
    assert later is not None and later.partitions_added == 1


def test_database_name_and_bad_options(lake: Lake, real_data: Path) -> None:
    write_raw_csv(lake, real_data, date(2024, 7, 1))
    summary = crawl(lake, database="movies_dev")
    assert summary.database == "movies_dev" and lake.exists(
        "_catalog/movies_dev/tables/raw_local_movies.json"
    )
    assert open_backend(lake, "local", "movies_dev").exists()
    with pytest.raises(UsageError, match="invalid catalog database"):
        crawl(lake, database="Bad-Name")
    with pytest.raises(UsageError, match="unknown zone"):
        crawl(lake, zone="Gold")
    with pytest.raises(UsageError, match="schema change policy"):
        crawl(lake, schema_change="ignore")
    with pytest.raises(UsageError, match="unknown catalog backend"):
        crawl(lake, backend="hive")


def test_stray_files_are_left_out(lake: Lake, real_data: Path) -> None:
    write_raw_json(lake, date(2026, 11, 25), detail_records(real_data))
    lake.write_bytes("Raw/TMDB/JSON/Movies/2026/11/notes.json", b'{"a": 1}\n')  # not in a day folder
    lake.write_bytes("Raw/TMDB/JSON/Movies/2026/11/25/README.md", b"hello")  # not a data file
    change = crawl(lake).table("raw_tmdb_movies")
    assert change.files == 1 and change.skipped_files == 2


def test_snapshot_movies_across_files(lake: Lake) -> None:
    """Real /movie/{id} objects with their appends, 100 per file as the ingestion writes them."""
    movies = snapshot_records(600)
    for chunk in range(6):
        write_raw_json(lake, date(2026, 11, 26), movies[chunk * 100 : (chunk + 1) * 100], chunk=chunk + 1)
    summary = crawl(lake, sample=None)
    assert summary.table("raw_tmdb_movies").records == 600
    table = LocalCatalog(lake).get_table("raw_tmdb_movies")
    assert table is not None
    columns = {c.name: c.type for c in table.columns}
    assert columns["genres"] == "array<struct<id:bigint,name:string>>"
    credits = columns["credits"]
    assert "cast:array<struct<name:string,order:bigint>>" in credits
    assert "crew:array<struct<department:string,job:string,name:string>>" in credits
    assert columns["keywords"] == "struct<id:bigint,keywords:array<struct<name:string>>>"
    assert columns["external_ids"] == "struct<id:bigint,imdb_id:string>"
    # budget 0 and popularity both int and float in real data: widened, never string
    assert columns["budget"] == "bigint" and columns["popularity"] == "double"


def test_a_changed_folder_layout_starts_the_partitions_over(lake: Lake) -> None:
    lake.write_bytes("Raw/TMDB/JSON/Movies/2026/11/25/m.json", b'{"id": 1}\n')
    crawl(lake)
    lake.delete("Raw/TMDB/JSON/Movies/2026")
    lake.write_bytes("Raw/TMDB/JSON/Movies/dt=2026-11-25/m.json", b'{"id": 1}\n')
    change = crawl(lake).table("raw_tmdb_movies")
    assert (change.partitions_added, change.partitions_removed) == (1, 1)
    catalog = LocalCatalog(lake)
    table = catalog.get_table("raw_tmdb_movies")
    assert table is not None and [k.name for k in table.partition_keys] == ["dt"]
    assert [p.values for p in catalog.get_partitions("raw_tmdb_movies")] == [("2026-11-25",)]


def test_two_crawls_of_one_local_catalog_take_turns(
    full_lake: Lakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    from cinelake.catalog import crawler
    from cinelake.lake.lock import LockHeldError, held

    lake, records = full_lake
    lock_path = "_catalog/cinelake/_locks/crawl.lock"
    done: list[object] = []
    with held(lake, "another crawl", path=lock_path):
        waiting = threading.Thread(target=lambda: done.append(crawl(lake, sample=1)))
        waiting.start()
        time.sleep(1.0)
        # The second crawl waits for the first: it has not even created the database yet.
        assert waiting.is_alive() and not lake.exists("_catalog/cinelake/database.json")
    waiting.join(timeout=120)
    assert len(done) == 1 and {t.table for t in done[0].tables} == set(records)  # type: ignore[attr-defined]
    assert not lake.exists(lock_path)

    monkeypatch.setattr(crawler, "CRAWL_LOCK_WAIT", 0.3)
    refused = "crawl of cinelake is being worked on"
    with held(lake, "another crawl", path=lock_path), pytest.raises(LockHeldError, match=refused):
        crawl(lake)
