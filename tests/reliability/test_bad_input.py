"""Bad input at every entry point: one clear line, a non-zero exit, no traceback, nothing written.

CSVs go through the real ``cinelake`` console script (``ingest local`` and ``ingest tmdb --from-csv``),
flags and SQL too; Lambda events go through the handler function; broken TMDB bodies come from the
offline server's faults and from a small server that answers with the wrong shapes.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from cinelake.ingest.local_csv import MOVIES_COLUMNS
from tests.reliability.cli import assert_one_line_error, run_cli
from tests.reliability.conftest import TOKEN

pytestmark = pytest.mark.integration

HEADER = "|".join(MOVIES_COLUMNS)
ROW = "tt0114709|Toy Story|Toy Story|1995|81|Animation,Comedy|8.3|1000|actor|Woody|Tom Hanks|1956|\\N|actor|x"


def _bad_csvs() -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, a word the error must name)."""
    rng = random.Random(5)
    binary = bytes(rng.randrange(256) for _ in range(4096)) + b"\x00"
    return {
        "wrong_delimiter": (
            (HEADER.replace("|", ",") + "\n" + ROW.replace("|", ",") + "\n").encode(),
            "delimiter",
        ),
        "missing_id_column": ((HEADER.replace("id|", "ident|", 1) + "\n" + ROW + "\n").encode(), "id column"),
        "invalid_id": (
            (HEADER + "\n" + ROW.replace("tt0114709", "nm0000158") + "\n").encode(),
            "invalid IMDB id",
        ),
        "megabyte_line": ((HEADER + "\n" + "tt1|" + "x" * 1_048_576 + "\n").encode(), "line 2: longer than"),
        "three_megabyte_line": ((HEADER + "\n" + ROW + "\n" + "y" * 3_000_000 + "\n").encode(), "line 3"),
        "cr_only": ((HEADER + "\r" + ROW + "\r" + ROW + "\r").encode(), "CR alone"),
        "cr_only_past_the_line_limit": (((HEADER + "\r") + (ROW + "\r") * 20_000).encode(), "CR alone"),
        "binary": (binary, "line 1"),
        "empty": (b"", "empty"),
        "header_only": ((HEADER + "\n").encode(), "no rows"),
        "gzip_as_csv": (gzip.compress((HEADER + "\n" + ROW + "\n").encode()), "gzip"),
        "latin1": ((HEADER + "\n" + ROW.replace("Toy Story", "Tôy Stôry") + "\n").encode("latin-1"), "UTF-8"),
    }


BAD_CSVS = _bad_csvs()


def lake_files(root: Path) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("case", sorted(BAD_CSVS))
def test_bad_csv_through_ingest_local(case: str, tmp_path: Path) -> None:
    data, word = BAD_CSVS[case]
    (tmp_path / "movies.csv").write_bytes(data)
    done = run_cli(["ingest", "local", "movies.csv", "--lake", "lake", "--date", "2026-11-26"], cwd=tmp_path)
    line = assert_one_line_error(done, "movies.csv", word)
    assert done.returncode == 2, line
    assert lake_files(tmp_path / "lake") == []


# `cinelake ingest tmdb` of ./movies.csv (every genre) into ./lake.
INGEST_MOVIES_CSV = [
    "ingest", "tmdb", "--from-csv", "movies.csv", "--lake", "lake", "--genres", "all", "--date", "2026-11-26",
]  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_CSVS))
def test_bad_csv_through_ingest_tmdb(case: str, tmp_path: Path, tmdb_process: str) -> None:
    data, word = BAD_CSVS[case]
    (tmp_path / "movies.csv").write_bytes(data)
    done = run_cli(
        INGEST_MOVIES_CSV,
        cwd=tmp_path,
        env={"TMDB_READ_ACCESS_TOKEN": TOKEN, "TMDB_BASE_URL": tmdb_process},
    )
    assert_one_line_error(done, "movies.csv", word)
    assert lake_files(tmp_path / "lake") == []


def test_bom_crlf_and_repeated_ids_are_accepted(tmp_path: Path) -> None:
    """Not errors: the real files have a BOM, CRLF line ends and one row per artist (ids repeat)."""
    body = "\r\n".join([HEADER, ROW, ROW, ROW.replace("Tom Hanks", "Tim Allen")]) + "\r\n"
    (tmp_path / "movies.csv").write_bytes(b"\xef\xbb\xbf" + body.encode())
    done = run_cli(["ingest", "local", "movies.csv", "--lake", "lake", "--date", "2026-11-26"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    stored = tmp_path / "lake/Raw/Local/CSV/Movies/2026/11/26/movies.csv"
    assert stored.read_bytes() == (tmp_path / "movies.csv").read_bytes()


FLAG_CASES: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "bad_date": (["ingest", "local", "movies.csv", "--date", "2026-13-01"], ("--date", "2026-13-01")),
    "date_not_iso": (["ingest", "local", "movies.csv", "--date", "26/11/2026"], ("--date",)),
    "lake_with_dotdot": (["ingest", "local", "movies.csv", "--lake", "a/../b"], ("..",)),
    "lake_s3_dotdot": (["ingest", "local", "movies.csv", "--lake", "s3://bucket/x/../y"], ("..",)),
    "lake_ftp": (["ingest", "local", "movies.csv", "--lake", "ftp://host/lake"], ("ftp",)),
    "lake_http": (["ingest", "local", "movies.csv", "--lake", "http://host/lake"], ("http",)),
    "unknown_kind": (["ingest", "local", "movies.csv", "--kind", "songs"], ("songs",)),
    "tmdb_both_sources": (["ingest", "tmdb", "--discover", "--from-csv", "movies.csv"], ("--discover",)),
    "tmdb_no_source": (["ingest", "tmdb"], ("--from-csv",)),
    "tmdb_window_backwards": (
        ["ingest", "tmdb", "--discover", "--from", "2020-01-01", "--to", "2019-01-01"],
        ("--from", "--to"),
    ),
    "tmdb_bad_from": (["ingest", "tmdb", "--discover", "--from", "yesterday"], ("--from",)),
    "date_year_one": (["ingest", "local", "movies.csv", "--date", "0001-01-01"], ("--date", "1990-01-01")),
    "date_far_future": (["ingest", "local", "movies.csv", "--date", "9999-12-31"], ("--date", "tomorrow")),
    "date_basic_format": (["ingest", "local", "movies.csv", "--date", "20261126"], ("--date", "YYYY-MM-DD")),
    "transform_date_year_one": (["transform", "raw-to-trusted", "--date", "0001-01-01"], ("--date",)),
    "pipeline_date_far_future": (["pipeline", "--csv", "movies.csv", "--date", "2999-01-01"], ("--date",)),
    "tmdb_base_url_plain_http": (
        ["ingest", "tmdb", "--discover", "--base-url", "http://10.1.2.3/3"],
        ("http://10.1.2.3", "https://", "127.0.0.1"),
    ),
    "tmdb_concurrency": (["ingest", "tmdb", "--discover", "--concurrency", "500"], ("--concurrency",)),
    "tmdb_rate_limit": (["ingest", "tmdb", "--discover", "--rate-limit", "-1"], ("--rate-limit",)),
    "tmdb_append": (["ingest", "tmdb", "--discover", "--append", "everything"], ("--append", "everything")),
    "tmdb_empty_genres": (["ingest", "tmdb", "--discover", "--genres", " , "], ("--genres",)),
    "catalog_lake_ftp": (["catalog", "crawl", "--lake", "ftp://host/lake"], ("ftp",)),
    "sql_lake_http": (["sql", "SELECT 1", "--lake", "http://host/lake"], ("http",)),
}


@pytest.mark.parametrize("case", sorted(FLAG_CASES))
def test_bad_flags(case: str, tmp_path: Path, tmdb_process: str) -> None:
    args, words = FLAG_CASES[case]
    (tmp_path / "movies.csv").write_text(HEADER + "\n" + ROW + "\n")
    if "--lake" not in args:
        args = [*args, "--lake", "lake"]
    done = run_cli(args, cwd=tmp_path, env={"TMDB_READ_ACCESS_TOKEN": TOKEN, "TMDB_BASE_URL": tmdb_process})
    assert_one_line_error(done, *words)
    assert lake_files(tmp_path / "lake") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["movies.csv"]


@pytest.mark.parametrize("url", ["http://api.example.org/3", "http://10.0.0.1:8080/3", "ftp://127.0.0.1/3"])
def test_tmdb_base_url_over_plain_http_only_to_this_machine(url: str, tmp_path: Path) -> None:
    done = run_cli(
        ["tmdb", "check"], cwd=tmp_path, env={"TMDB_READ_ACCESS_TOKEN": TOKEN, "TMDB_BASE_URL": url}
    )
    assert_one_line_error(done, "TMDB_BASE_URL", url, "https://")
    assert TOKEN not in done.stdout + done.stderr


def test_unknown_genre_names_it_and_lists_the_known_ones(tmp_path: Path, tmdb_process: str) -> None:
    done = run_cli(
        ["ingest", "tmdb", "--discover", "--genres", "Comedy,Nope", "--lake", "lake"],
        cwd=tmp_path,
        env={"TMDB_READ_ACCESS_TOKEN": TOKEN, "TMDB_BASE_URL": tmdb_process},
    )
    assert_one_line_error(done, "Nope", "Animation")
    assert lake_files(tmp_path / "lake") == []


@pytest.fixture(scope="module")
def sql_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lake with the Raw local CSV crawled into the catalog, for the SQL cases."""
    root = tmp_path_factory.mktemp("sql")
    (root / "movies.csv").write_text(HEADER + "\n" + ROW + "\n")
    assert (
        run_cli(
            ["ingest", "local", "movies.csv", "--lake", "lake", "--date", "2026-11-26"], cwd=root
        ).returncode
        == 0
    )
    crawled = run_cli(["catalog", "crawl", "--lake", "lake"], cwd=root)
    assert crawled.returncode == 0, crawled.stderr
    return root


WRITE_STATEMENTS = [
    "DELETE FROM raw_local_movies",
    "DROP TABLE raw_local_movies",
    "CREATE TABLE t AS SELECT 1",
    "INSERT INTO raw_local_movies SELECT * FROM raw_local_movies",
    "COPY (SELECT 1) TO 'out.csv'",
    "SELECT 1; DROP TABLE raw_local_movies",
    "ATTACH 'x.db' AS x",
    "INSTALL httpfs",
]


@pytest.mark.parametrize("statement", WRITE_STATEMENTS)
def test_sql_refuses_writes(statement: str, sql_lake: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in (sql_lake / "lake").rglob("*") if p.is_file()}
    done = run_cli(["sql", statement, "--lake", "lake"], cwd=sql_lake)
    assert_one_line_error(done)
    after = {p: p.stat().st_mtime_ns for p in (sql_lake / "lake").rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in sql_lake.iterdir()) == ["lake", "movies.csv"]


# --- Lambda events -------------------------------------------------------------------------------


class _Context:
    aws_request_id = "reliability-1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:cinelake-ingest"

    def get_remaining_time_in_millis(self) -> int:
        return 600_000


BAD_EVENTS: dict[str, tuple[Any, str]] = {
    "not_an_object": ([1, 2, 3], "JSON object"),
    "a_string": ("movies", "JSON object"),
    "unknown_field": ({"sourse": "csv"}, "sourse"),
    "wrong_source": ({"source": "ftp"}, "source"),
    "wrong_kind_type": ({"kind": 5}, "kind"),
    "bad_date": ({"date": "2026-13-01"}, "date"),
    "date_wrong_type": ({"date": [2026, 11, 26]}, "date"),
    "genres_wrong_type": ({"genres": {"Comedy": 1}}, "genres"),
    "invocation_negative": ({"invocation": -1}, "invocation"),
    "invocation_string": ({"invocation": "many"}, "invocation"),
    "run_id_path": ({"run_id": "../../etc"}, "run_id"),
    "csv_outside_lake": ({"source": "csv", "csv": "s3://elsewhere/movies.csv", "genres": ["Comedy"]}, "csv"),
    "csv_missing": ({"source": "csv", "csv": "Raw/none.csv", "genres": ["Comedy"]}, "none.csv"),
    "csv_escaping": ({"source": "csv", "csv": "../../etc/passwd", "genres": ["Comedy"]}, ".."),
    "huge_csv": ({"source": "csv", "csv": "x" * 5_000_000}, "csv"),
    "huge_genres": ({"genres": ["x" * 100] * 200_000}, "genres"),
    "many_fields": ({f"f{i}": i for i in range(50_000)}, "f0"),
}


@pytest.fixture()
def lambda_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmdb_process: str) -> Iterator[Path]:
    lake = tmp_path / "lake"
    lake.mkdir()
    monkeypatch.setenv("LAKE", str(lake))
    monkeypatch.setenv("TMDB_READ_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("TMDB_BASE_URL", tmdb_process)
    from cinelake.config import get_settings

    get_settings.cache_clear()
    yield lake
    get_settings.cache_clear()


@pytest.mark.parametrize("case", sorted(BAD_EVENTS))
def test_bad_lambda_events(case: str, lambda_env: Path, lambda_log: io.StringIO) -> None:
    from cinelake.aws.lambda_handler import handler

    event, word = BAD_EVENTS[case]
    result = handler(event, _Context())
    assert result["status"] == "error", result
    error = result["error"]
    assert "\n" not in error and len(error) < 400 and word.lower() in error.lower(), error[:400]
    assert lake_files(lambda_env) == []
    lines = lambda_log.getvalue().splitlines()
    assert lines and "Traceback" not in lambda_log.getvalue()
    failed = [json.loads(line) for line in lines]
    assert failed[-1]["message"] == "ingestion invocation failed" and failed[-1]["error"] == error
    assert all(len(line) < 2000 for line in lines)


# --- TMDB bodies that break the expected schema -------------------------------------------------------


class _WrongShapes(BaseHTTPRequestHandler):
    """Answers every detail request with JSON of the wrong shape; /find and /genre work."""

    shape: str = "list"

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path.startswith("/3/find/"):
            body: Any = {"movie_results": [{"id": 862}], "tv_results": []}
        elif path.startswith("/3/genre/movie/list"):
            body = {"genres": [{"id": 35, "name": "Comedy"}]}
        elif self.shape == "list":
            body = [{"id": 862}]
        elif self.shape == "no_id":
            body = {"title": "Toy Story"}
        elif self.shape == "string_id":
            body = {"id": "862", "title": "Toy Story"}
        else:
            body = "just a string"
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def wrong_shapes() -> Iterator[tuple[str, type[_WrongShapes]]]:
    handler = type("Handler", (_WrongShapes,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/3", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("shape", ["list", "string", "no_id", "string_id"])
def test_tmdb_bodies_of_the_wrong_shape_are_failures_not_records(
    shape: str, wrong_shapes: tuple[str, type[_WrongShapes]], tmp_path: Path
) -> None:
    url, handler = wrong_shapes
    handler.shape = shape
    (tmp_path / "movies.csv").write_text(HEADER + "\n" + ROW + "\n")
    done = run_cli(
        INGEST_MOVIES_CSV,
        cwd=tmp_path,
        env={"TMDB_READ_ACCESS_TOKEN": TOKEN, "TMDB_BASE_URL": url, "CINELAKE_TMDB_MAX_RETRIES": "0"},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    raw = [p for p in lake_files(tmp_path / "lake") if "/_runs/" not in p]
    assert raw == [], "a body of the wrong shape reached Raw"
    manifest = json.loads((next((tmp_path / "lake").rglob("manifest.json"))).read_text())
    assert manifest["counts"]["failed"] == 1 and manifest["status"] == "incomplete"
    assert manifest["failures"][0]["id"] == "tt0114709" and manifest["failures"][0]["error"]


def test_not_json_and_truncated_bodies_are_failures_with_their_reason(tmdb: str, tmp_path: Path) -> None:
    from datetime import date

    from cinelake.config import Settings
    from cinelake.ingest.tmdb import TMDBIngestRequest, ingest_tmdb
    from cinelake.lake.store import Lake
    from cinelake.tmdb.server import configure

    (tmp_path / "movies.csv").write_text(
        HEADER + "\n" + ROW + "\n" + ROW.replace("tt0114709", "tt0113497") + "\n"
    )
    # Each id's one request (/movie/{imdb_id}) gets the fault (no retries, so it stays a failure).
    configure(tmdb, script=["not_json"])
    settings = Settings(
        tmdb_base_url=tmdb,
        tmdb_read_access_token=TOKEN,
        tmdb_rate_limit=0,
        tmdb_max_retries=0,
        tmdb_max_connections=1,
    )
    lake = Lake(str(tmp_path / "lake"))
    request = TMDBIngestRequest(
        day=date(2026, 11, 26), source="csv", csv=str(tmp_path / "movies.csv"), genres=("all",), concurrency=1
    )
    configure(tmdb, script=["not_json", "truncated"])
    result = ingest_tmdb(lake, request, settings)
    assert result.status == "incomplete" and result.failed == 2 and result.written == 0
    assert all(f.error for f in result.failures)
    assert [p for p in lake.list_files("Raw")] == []
    assert os.path.exists(tmp_path / "lake" / result.manifest)
