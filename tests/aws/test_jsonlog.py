"""JSON log lines: one object per line, the invocation's context in each, secrets removed."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from cinelake.aws import jsonlog


@pytest.fixture()
def restore_root() -> Iterator[None]:
    """Starts from a root logger with no handler (an earlier test in this process may have left the
    JSON handler on it) and puts the old ones back after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    root.handlers[:] = []
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_every_record_is_one_json_object_without_the_secret(restore_root: None) -> None:
    stream = io.StringIO()
    secret = "eyJhbGciOiJIUzI1NiJ9.planted-secret.c2lnbmF0dXJl"
    formatter = jsonlog.configure(stream, secrets=[secret])
    formatter.context = {"run_id": "run-1", "request_id": "req-1"}
    log = logging.getLogger("cinelake.test")
    log.info(
        "fetched %s", f"https://api.example/3/movie/1?api_key={secret}", extra={"fields": {"written": 3}}
    )
    log.warning("multi\nline", extra={"fields": {"token": secret}})
    try:
        raise ValueError(f"bad {secret}")
    except ValueError:
        log.exception("failed")
    logging.getLogger("httpx").info("HTTP Request: GET %s", secret)  # quieted to WARNING
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    assert all(r["run_id"] == "run-1" and r["request_id"] == "req-1" for r in records)
    assert records[0]["written"] == 3 and records[0]["level"] == "INFO"
    assert records[1]["message"] == "multi\nline"
    assert records[2]["error_type"] == "ValueError"
    assert secret not in stream.getvalue()
    assert jsonlog.REDACTED in records[0]["message"]


def test_configure_is_idempotent_and_replaces_plain_handlers(restore_root: None) -> None:
    root = logging.getLogger()
    root.addHandler(logging.StreamHandler(io.StringIO()))
    stream = io.StringIO()
    jsonlog.configure(stream)
    jsonlog.configure(stream)
    assert len(root.handlers) == 1
