"""SQL over the lake with DuckDB: every catalog table by name, counts that match the files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import orjson
import pytest

from cinelake.catalog import crawl
from cinelake.errors import UsageError
from cinelake.lake.store import Lake
from cinelake.query import ReadOnlyError, connect, run_sql
from tests.catalog.lakes import detail_records, snapshot_records, write_raw_json

Lakes = tuple[Lake, dict[str, int]]


def lines_in(lake: Lake, prefix: str, *, header: bool = False) -> int:
    """Records counted straight from the files, the way a person would."""
    total = 0
    for rel in lake.list_files(prefix):
        lines = [line for line in lake.read_bytes(rel).splitlines() if line.strip()]
        total += len(lines) - (1 if header else 0)
    return total


def test_counts_match_the_files(crawled: Lakes) -> None:
    lake, records = crawled
    assert run_sql(lake, "SELECT count(*) FROM raw_tmdb_movies").scalar() == lines_in(
        lake, "Raw/TMDB/JSON/Movies"
    )
    assert run_sql(lake, "SELECT count(*) FROM raw_local_movies").scalar() == lines_in(
        lake, "Raw/Local/CSV/Movies", header=True
    )
    for name, count in records.items():
        assert run_sql(lake, f"SELECT count(*) FROM {name}").scalar() == count, name


def test_partition_columns_are_queryable(crawled: Lakes) -> None:
    lake, _ = crawled
    result = run_sql(
        lake, "SELECT year, month, day, count(*) AS n FROM raw_tmdb_movies GROUP BY ALL ORDER BY ALL"
    )
    assert result.columns == ["year", "month", "day", "n"]
    assert result.rows == [("2026", "11", "25", 2), ("2026", "11", "26", 3)]
    trusted = run_sql(lake, "SELECT dt, count(*) FROM trusted_tmdb_movies GROUP BY dt ORDER BY dt").rows
    assert trusted == [("2026-11-25", 2), ("2026-11-26", 1)]
    csv = run_sql(lake, "SELECT day, count(DISTINCT id) FROM raw_local_movies GROUP BY day ORDER BY day").rows
    assert csv == [("01", 14), ("10", 12)]


def test_nested_fields_and_typed_csv(crawled: Lakes, real_data: Path) -> None:
    lake, _ = crawled
    cast = run_sql(
        lake,
        "SELECT c.name, c.character FROM (SELECT unnest(credits.cast) AS c FROM raw_tmdb_movies "
        "WHERE day = '25') WHERE c.name IS NOT NULL ORDER BY c.order",
    ).rows
    assert cast == [("Edward Norton", "The Narrator"), ("Brad Pitt", "Tyler Durden")]
    genres = run_sql(
        lake, "SELECT DISTINCT g.name FROM raw_tmdb_movies, unnest(genres) AS t(g) ORDER BY 1"
    ).rows
    expected = sorted({g["name"] for r in detail_records(real_data) for g in r["genres"]})
    assert [g for (g,) in genres] == expected
    typed = run_sql(
        lake,
        "SELECT typeof(anolancamento), typeof(notamedia), count(*) FILTER (WHERE anofalecimento IS NULL) "
        "FROM raw_local_movies GROUP BY ALL",
    ).rows
    nulls = sum(
        line.split("|")[12] == "\\N"
        for name in ("movies_subset_1.csv", "movies_subset_2.csv")
        for line in (real_data / "compass_uol_sample" / name).read_text().splitlines()[1:]
    )
    assert typed == [("BIGINT", "DOUBLE", nulls)]


def test_refined_tables_through_connect(crawled: Lakes) -> None:
    lake, _ = crawled
    con = connect(lake)
    try:
        assert con.execute("SELECT sum(budget) FROM fact_movie").fetchone() == (126_000_000,)
        views = views_of(con)
        assert {"fact_movie", "raw_tmdb_movies", "raw_local_series", "trusted_tmdb_movies"} <= views
    finally:
        con.close()


def views_of(con: duckdb.DuckDBPyConnection) -> set[str]:
    found = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    return {row[0] for row in found}


@pytest.mark.parametrize(
    ("sql", "wanted", "left_out"),
    [
        ("SELECT sum(budget) FROM fact_movie", {"fact_movie"}, {"raw_tmdb_movies", "trusted_tmdb_movies"}),
        (
            "SELECT count(*) FROM raw_tmdb_movies r JOIN trusted_tmdb_movies t USING (id)",
            {"raw_tmdb_movies", "trusted_tmdb_movies"},
            {"fact_movie", "raw_local_series"},
        ),
        ("SHOW TABLES", {"fact_movie", "raw_tmdb_movies", "trusted_tmdb_movies", "raw_local_series"}, set()),
    ],
    ids=["refined", "raw-and-trusted", "names-none"],
)
def test_connect_for_a_query_makes_only_the_views_it_names(
    crawled: Lakes, sql: str, wanted: set[str], left_out: set[str]
) -> None:
    lake, _ = crawled
    con = connect(lake, for_sql=sql)
    try:
        views = views_of(con)
        assert wanted <= views
        assert not (left_out & views)
    finally:
        con.close()


def test_a_lake_without_a_catalog_is_still_queryable(lake: Lake, real_data: Path) -> None:
    write_raw_json(lake, date(2026, 11, 26), detail_records(real_data))
    assert run_sql(lake, "SELECT count(*) FROM raw_tmdb_movies").scalar() == 2
    assert not lake.exists("_catalog")  # nothing written: the layout was read in memory


def test_new_files_of_a_crawled_day_are_seen(crawled: Lakes, real_data: Path) -> None:
    lake, _ = crawled
    write_raw_json(lake, date(2026, 11, 25), detail_records(real_data), chunk=9)
    assert run_sql(lake, "SELECT count(*) FROM raw_tmdb_movies WHERE day = '25'").scalar() == 4


def test_write_statements_are_refused(crawled: Lakes) -> None:
    lake, _ = crawled
    for sql in (
        "DROP VIEW raw_tmdb_movies",
        "INSERT INTO t VALUES (1)",
        "COPY (SELECT 1) TO 'x.csv'",
        "CREATE TABLE t AS SELECT 1",
        "ATTACH 'x.db'",
        "/* hidden */ DELETE FROM raw_tmdb_movies",
        "EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1",
    ):
        with pytest.raises(ReadOnlyError, match="read-only"):
            run_sql(lake, sql)
    with pytest.raises(UsageError, match="one SQL statement"):
        run_sql(lake, "SELECT 1; SELECT 2")
    assert run_sql(lake, "WITH t AS (SELECT 1 AS a) SELECT a FROM t").scalar() == 1
    assert run_sql(lake, "DESCRIBE raw_local_movies").rows[0][:2] == ("id", "VARCHAR")
    assert run_sql(lake, "SHOW TABLES").rows
    assert run_sql(lake, "EXPLAIN SELECT count(*) FROM fact_movie").rows


def test_writes_allowed_when_asked(crawled: Lakes, tmp_path: Path) -> None:
    lake, _ = crawled
    target = tmp_path / "out.csv"
    run_sql(lake, f"COPY (SELECT movie_key FROM fact_movie) TO '{target}' (HEADER)", read_only=False)
    assert target.read_text().splitlines()[0] == "movie_key"


def test_sql_errors_are_one_clear_line(crawled: Lakes) -> None:
    lake, _ = crawled
    with pytest.raises(UsageError) as error:
        run_sql(lake, "SELECT nope FROM raw_tmdb_movies")
    assert str(error.value).startswith("SQL error: Binder Error") and "\n" not in str(error.value)
    with pytest.raises(UsageError, match="SQL error: Parser Error"):
        run_sql(lake, "SELECT FROM WHERE")
    with pytest.raises(UsageError, match="SQL error: Catalog Error"):
        run_sql(lake, "SELECT * FROM no_such_table")


def test_json_lines_values_wider_than_the_sample(lake: Lake) -> None:
    write_raw_json(lake, date(2026, 11, 25), [{"id": 1, "meta": {"k": 1}}])
    crawl(lake)
    write_raw_json(lake, date(2026, 11, 26), [{"id": 2, "meta": {"k": 2, "extra": "x"}, "new": 1}])
    # not crawled yet: the view reads the new day with the old schema, extra keys ignored
    assert run_sql(lake, "SELECT max(meta.k) FROM raw_tmdb_movies").scalar() == 2
    crawl(lake)
    assert run_sql(lake, "SELECT meta.extra FROM raw_tmdb_movies WHERE new = 1").scalar() == "x"
    assert (
        orjson.loads(lake.read_bytes("_catalog/cinelake/tables/raw_tmdb_movies.json"))["Name"]
        == "raw_tmdb_movies"
    )


def test_snapshot_cast_and_genres_match_the_records(lake: Lake) -> None:
    movies = snapshot_records(300)
    for chunk in range(3):
        write_raw_json(lake, date(2026, 11, 26), movies[chunk * 100 : (chunk + 1) * 100], chunk=chunk + 1)
    crawl(lake, sample=1)
    cast = run_sql(lake, "SELECT count(*) FROM raw_tmdb_movies, unnest(credits.cast) AS t(c)").scalar()
    assert cast == sum(len(m.get("credits", {}).get("cast", [])) for m in movies)
    comedies = run_sql(
        lake,
        "SELECT count(*) FROM raw_tmdb_movies "
        "WHERE list_contains(list_transform(genres, lambda g: g.name), 'Comedy')",
    ).scalar()
    assert comedies == sum(any(g["name"] == "Comedy" for g in m.get("genres", [])) for m in movies)
    budget = run_sql(lake, "SELECT sum(budget) FROM raw_tmdb_movies").scalar()
    assert budget == sum(m.get("budget") or 0 for m in movies)


def view_definition(lake: Lake, table: str) -> str:
    con = connect(lake)
    try:
        row = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = ?", [table]).fetchone()
    finally:
        con.close()
    assert row is not None
    return str(row[0])


def test_json_views_use_detection_only_when_it_agrees_with_the_catalog(lake: Lake) -> None:
    # Real TMDB records: DuckDB's own detection finds the catalog's columns, and scans faster.
    movies = snapshot_records(200)
    write_raw_json(lake, date(2026, 11, 26), movies[:100])
    write_raw_json(lake, date(2026, 11, 26), movies[100:], chunk=2)
    crawl(lake)
    assert "columns" not in view_definition(lake, "raw_tmdb_movies")
    assert run_sql(lake, "SELECT count(*), typeof(any_value(release_date)) FROM raw_tmdb_movies").rows == [
        (200, "VARCHAR")
    ]
    # A field only ever null: DuckDB would call it JSON, the catalog says string, so the catalog wins.
    write_raw_json(lake, date(2026, 11, 27), [{"id": 9, "note": None}], spec="Series")
    crawl(lake, zone="Raw")
    assert "columns" in view_definition(lake, "raw_tmdb_series")
    assert run_sql(lake, "SELECT typeof(note), id FROM raw_tmdb_series").rows == [("VARCHAR", 9)]


@pytest.mark.parametrize("sql", ["SELECT * FROM read_text('/etc/passwd')", "SELECT * FROM glob('/*')"])
def test_read_only_sql_reads_the_lake_and_no_other_file(crawled: Lakes, sql: str) -> None:
    lake, _ = crawled
    with pytest.raises(UsageError) as error:
        run_sql(lake, sql)
    assert "file system operations are disabled" in str(error.value) and "\n" not in str(error.value)
    con = connect(lake)
    with pytest.raises(duckdb.InvalidInputException, match="configuration has been locked"):
        con.execute("SET enable_external_access = true")
    assert run_sql(lake, "SELECT count(*) FROM raw_tmdb_movies").scalar()
