"""Planted secrets never leave the request headers: not in the lake, manifests, catalog, logs or output.

The token and the api key are unique values planted for this session (tests/reliability/conftest.py).
Each test runs real ingests (succeeding and failing) with them and scans everything they produced.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from cinelake.config import Settings
from cinelake.ingest.tmdb import IngestProgress, TMDBIngestRequest, ingest_tmdb
from cinelake.lake.store import Lake
from cinelake.tmdb.errors import TMDBAuthError
from cinelake.tmdb.server import configure
from tests.reliability.cli import run_cli
from tests.reliability.conftest import API_KEY, TOKEN, demo_csv
from tests.reliability.lakecheck import scan_for

pytestmark = pytest.mark.integration

SECRETS = (TOKEN.encode(), API_KEY.encode())
DAY = "2026-11-26"


def leaks(text: str) -> list[str]:
    return [s.decode() for s in SECRETS if s.decode() in text]


@pytest.fixture()
def key_server(tmdb: str) -> Iterator[str]:
    """The shared server accepting only the planted api key (as ``?api_key=``), then the token again."""
    configure(tmdb, token=API_KEY)
    yield tmdb
    configure(tmdb, token=TOKEN)


def small_csv(tmp_path: Path) -> Path:
    """The first 150 rows of the packaged demo CSV (two chunks of ids)."""
    lines = demo_csv().read_bytes().splitlines(keepends=True)
    path = tmp_path / "movies.csv"
    path.write_bytes(b"".join(lines[:150]))
    return path


@pytest.mark.slow
def test_cli_ingests_with_token_and_api_key_leave_no_trace(tmdb: str, tmp_path: Path) -> None:
    csv = small_csv(tmp_path)
    outputs: list[str] = []
    token_env = {"TMDB_READ_ACCESS_TOKEN": TOKEN, "TMDB_BASE_URL": tmdb}
    runs = [
        (["ingest", "local", str(csv), "--lake", "lake", "--date", DAY], token_env, 0),
        (
            ["ingest", "tmdb", "--from-csv", str(csv), "--genres", "all", "--lake", "lake", "--date", DAY],
            token_env,
            0,
        ),
        # Rejected: the api key is not what the server expects (it wants the token).
        (
            ["ingest", "tmdb", "--from-csv", str(csv), "--genres", "all", "--lake", "lake2", "--date", DAY],
            {"TMDB_API_KEY": API_KEY, "TMDB_BASE_URL": tmdb},
            2,
        ),
        # Nothing listens there: the connection error must not show the key from the query string.
        (
            ["ingest", "tmdb", "--from-csv", str(csv), "--genres", "all", "--lake", "lake3", "--date", DAY],
            {
                "TMDB_API_KEY": API_KEY,
                "TMDB_BASE_URL": "http://127.0.0.1:9/3",
                "CINELAKE_TMDB_MAX_RETRIES": "0",
            },
            None,
        ),
        (["catalog", "crawl", "--lake", "lake"], token_env, 0),
        (["sql", "SELECT count(*) AS n FROM raw_tmdb_movies", "--lake", "lake"], token_env, 0),
    ]
    for args, env, code in runs:
        done = run_cli(args, cwd=tmp_path, env=env)
        outputs.append(done.stdout + done.stderr)
        if code is not None:
            assert done.returncode == code, done.stdout + done.stderr
        assert "Traceback" not in done.stdout + done.stderr
    assert "rejected the credentials" in outputs[2]
    assert any(p.name == "manifest.json" for p in (tmp_path / "lake").rglob("*"))
    assert (tmp_path / "lake" / "_catalog").is_dir()
    assert [leaks(o) for o in outputs] == [[] for _ in outputs]
    assert (
        scan_for(tmp_path, SECRETS) == [str(tmp_path / "movies.csv")][:0] or scan_for(tmp_path, SECRETS) == []
    )


def test_library_ingest_logs_hold_no_secret_even_at_debug(
    key_server: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The api key travels in the query string, where an HTTP log line would show it."""
    caplog.set_level(logging.DEBUG)
    csv = small_csv(tmp_path)
    lake = Lake(str(tmp_path / "lake"))
    request = TMDBIngestRequest(day=date(2026, 11, 26), source="csv", csv=str(csv), genres=("all",))
    settings = Settings(tmdb_base_url=key_server, tmdb_api_key=API_KEY, tmdb_rate_limit=0, tmdb_max_retries=2)
    configure(key_server, fault_rate=0.3, seed=5, hang_s=2.0)
    first = ingest_tmdb(lake, request, settings.with_overrides(tmdb_timeout=1.0))
    configure(key_server, fault_rate=0.0)
    revoked = False

    def revoke(progress: IngestProgress) -> None:
        nonlocal revoked
        if not revoked and progress.phase == "fetch":
            revoked = True
            configure(key_server, sudden_401=True)

    with pytest.raises(TMDBAuthError) as raised:
        ingest_tmdb(
            lake, TMDBIngestRequest(**{**request.__dict__, "refresh": True}), settings, progress=revoke
        )
    configure(key_server, sudden_401=False)
    unreachable = settings.with_overrides(tmdb_base_url="http://127.0.0.1:9/3", tmdb_max_retries=0)
    # Its listing step fails with the error (the attempt ends incomplete; the next one lists again).
    offline = ingest_tmdb(
        Lake(str(tmp_path / "other")),
        TMDBIngestRequest(**{**request.__dict__, "source": "discover", "csv": None}),
        unreachable,
    )
    assert offline.status == "incomplete" and "Cannot connect" in str(offline.listing["failed_steps"])
    texts = [caplog.text, str(raised.value), str(offline.listing), repr(first), repr(settings)]
    texts += [json.dumps([r.args for r in caplog.records], default=str)]
    assert [leaks(t) for t in texts] == [[] for _ in texts]
    assert scan_for(tmp_path, SECRETS) == []
    assert caplog.records, "the run logged nothing: the scan proves nothing"


class _Context:
    aws_request_id = "secret-scan-1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:cinelake-ingest"

    def get_remaining_time_in_millis(self) -> int:
        return 600_000


def test_lambda_handler_runs_leave_no_trace(
    tmdb: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lambda_log: io.StringIO
) -> None:
    from cinelake.aws import lambda_handler
    from cinelake.aws.lambda_handler import handler
    from cinelake.config import get_settings

    monkeypatch.setattr(lambda_handler, "_secret_cache", {})

    lake = tmp_path / "lake"
    lake.mkdir()
    csv = small_csv(tmp_path)
    target = lake / "Raw/Local/CSV/Movies/2026/11/26/movies.csv"
    target.parent.mkdir(parents=True)
    target.write_bytes(csv.read_bytes())
    monkeypatch.setenv("LAKE", str(lake))
    monkeypatch.setenv("TMDB_BASE_URL", tmdb)
    monkeypatch.setenv("CINELAKE_TMDB_RATE_LIMIT", "0")
    event = {
        "source": "csv",
        "csv": "Raw/Local/CSV/Movies/2026/11/26/movies.csv",
        "genres": ["all"],
        "date": DAY,
    }
    results = []
    try:
        monkeypatch.setenv("TMDB_READ_ACCESS_TOKEN", TOKEN)
        get_settings.cache_clear()
        results.append(handler(event, _Context()))
        monkeypatch.delenv("TMDB_READ_ACCESS_TOKEN")
        monkeypatch.setenv("TMDB_API_KEY", API_KEY)  # rejected: the server wants the token
        get_settings.cache_clear()
        lambda_handler._secret_cache.clear()  # a new container: the credentials are read again
        results.append(handler({**event, "date": "2026-11-27"}, _Context()))
    finally:
        get_settings.cache_clear()
    assert results[0]["status"] == "complete", results[0]
    assert results[1]["status"] == "error" and "rejected" in results[1]["error"], results[1]
    logged = lambda_log.getvalue()
    assert logged.count("\n") >= 4
    assert leaks(logged) == [] and leaks(json.dumps(results)) == []
    assert scan_for(tmp_path, SECRETS) == []
