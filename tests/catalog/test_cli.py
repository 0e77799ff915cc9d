"""`cinelake catalog ...` end to end through the CLI's main()."""

from __future__ import annotations

import pytest

from cinelake.cli import main
from cinelake.lake.store import Lake

Lakes = tuple[Lake, dict[str, int]]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, " ".join(err.split())  # rich wraps long lines at the console width


def test_crawl_tables_show_partitions_ddl(full_lake: Lakes, capsys: pytest.CaptureFixture[str]) -> None:
    lake, records = full_lake
    code, out, err = run(capsys, "catalog", "crawl", "--lake", lake.url, "--zone", "Raw")
    assert code == 0, err
    assert "3 table(s) created" in out and "raw_tmdb_movies" in out
    assert "crawl raw_tmdb_movies: reading 3 file(s)" in err  # plain progress lines off a terminal

    code, out, _ = run(capsys, "catalog", "crawl", "--lake", lake.url)
    assert code == 0 and "2 table(s) created, 0 updated, 3 unchanged" in out

    code, out, _ = run(capsys, "catalog", "tables", "--lake", lake.url)
    assert code == 0
    for name in records:
        assert name in out
    assert "year, month, day" in out

    code, out, _ = run(capsys, "catalog", "show", "raw_local_movies", "--lake", lake.url)
    assert code == 0 and "anolancamento" in out and "bigint" in out and "records:  100" in out

    code, out, _ = run(capsys, "catalog", "partitions", "trusted_tmdb_movies", "--lake", lake.url)
    assert code == 0 and "2026-11-25" in out and "2026-11-26" in out

    code, out, _ = run(
        capsys, "catalog", "ddl", "raw_tmdb_movies", "--lake", lake.url, "--location-root", "s3://b"
    )
    assert code == 0 and out.startswith("CREATE EXTERNAL TABLE IF NOT EXISTS `cinelake`.`raw_tmdb_movies`")


def test_errors_are_one_line(full_lake: Lakes, capsys: pytest.CaptureFixture[str]) -> None:
    lake, _ = full_lake
    code, _, err = run(capsys, "catalog", "tables", "--lake", lake.url)
    assert code == 2 and "run `cinelake catalog crawl` first" in err and "Traceback" not in err
    run(capsys, "catalog", "crawl", "--lake", lake.url)
    code, _, err = run(capsys, "catalog", "show", "nope", "--lake", lake.url)
    assert code == 2 and "no table 'nope'" in err and "Traceback" not in err
    code, _, err = run(capsys, "catalog", "crawl", "--lake", lake.url, "--database", "Bad-Name")
    assert code == 2 and "invalid catalog database" in err


def test_schema_change_policy_flag(lake: Lake, capsys: pytest.CaptureFixture[str]) -> None:
    lake.write_bytes("Raw/TMDB/JSON/Movies/2026/11/25/m.json", b'{"id": 1}\n')
    run(capsys, "catalog", "crawl", "--lake", lake.url)
    lake.write_bytes("Raw/TMDB/JSON/Movies/2026/11/26/m.json", b'{"id": 2, "title": "x"}\n')
    code, out, err = run(capsys, "catalog", "crawl", "--lake", lake.url, "--schema-change", "log")
    assert code == 0, err
    assert "schema change raw_tmdb_movies.title" in out.replace("\n", " ") and "logged, not applied" in out
