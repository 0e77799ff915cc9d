"""The handler run as Lambda runs it: awslambdaric, the Runtime API harness, moto S3 and Secrets
Manager, the offline TMDB server. The continuation tests prove that a run split over several
invocations leaves exactly the files of one long run."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.aws.conftest import LambdaRun, LambdaRunner, bucket_files

pytestmark = pytest.mark.integration

DAY = "2026-11-26"
# Why these numbers force at least three invocations whatever the machine's speed: the job starts a
# chunk of 100 ids only while more than the margin is left, with 3 chunks in flight. The client sends
# at most RATE * WINDOW_S + 1 = 81 requests inside the window, fewer than one chunk needs, so no chunk
# can finish and make room for a fourth: an invocation does at most 3 chunks, and 7 chunks need 3.
GENRES = ["Animation"]  # 699 ids of the snapshot: 7 chunks
RATE = 40  # requests/s (the client's limiter spaces requests evenly: no burst)
WINDOW_S = 2  # the time an invocation may start chunks: timeout - safety margin
MARGIN_S = 9  # > the time the 3 chunks in flight need at RATE (300 requests / 40 per s = 7.5 s)
AUDITED = Path(__file__).with_name("audited_runtime.py")


def data_files(endpoint: str, bucket: str) -> dict[str, bytes]:
    """The lake's data (Raw/TMDB/JSON), leaving out the run's bookkeeping."""
    return {k: v for k, v in bucket_files(endpoint, bucket).items() if k.startswith("Raw/TMDB/JSON/")}


def assert_clean(run: LambdaRun, secret: str) -> None:
    """Every log line is one JSON object; no line and no returned value holds the secret."""
    assert run.lines, "the runtime logged nothing"
    for line in run.lines:
        assert secret not in line
        record = json.loads(line)
        assert isinstance(record, dict) and {"level", "message", "request_id"} <= set(record), line
    for invocation in run.invocations:
        assert secret not in json.dumps(invocation.result)
        assert secret not in json.dumps(invocation.error)


def reference_run(runner: LambdaRunner, event: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """One uninterrupted invocation with a 15-minute deadline, in its own bucket."""
    bucket = runner.new_bucket()
    run = runner.run([event], bucket=bucket, env={"CINELAKE_TMDB_RATE_LIMIT": "1000"})
    (only,) = run.invocations
    assert only.result["status"] == "complete", only.result
    assert only.result["invocation"] == 1 and "continued" not in only.result
    return bucket, only.result


@pytest.mark.slow
def test_a_run_split_over_invocations_leaves_the_files_of_one_long_run(
    lambda_runner: LambdaRunner, aws_env: str, planted_secret: str
) -> None:
    event = {"source": "discover", "genres": GENRES, "date": DAY}
    reference_bucket, reference = reference_run(lambda_runner, event)
    expected = data_files(aws_env, reference_bucket)
    chunks = reference["files_total"]
    assert RATE * WINDOW_S + 1 < 100 and chunks > 2 * 3  # so at least three invocations are needed

    bucket = lambda_runner.new_bucket()
    chained = lambda_runner.run(
        [event],
        bucket=bucket,
        timeout_ms=(WINDOW_S + MARGIN_S) * 1000,
        env={
            "CINELAKE_TMDB_RATE_LIMIT": str(RATE),
            "SAFETY_MARGIN_SECONDS": str(MARGIN_S),
            "MAX_CHAIN": "30",
        },
        cold=True,  # a fresh process per invocation: the run resumes from the lake alone
    )
    results = [i.result for i in chained.invocations]
    assert all(i.error is None for i in chained.invocations), [i.error for i in chained.invocations]
    assert len(results) >= 3, results
    assert chained.starts == len(results)
    assert [r["invocation"] for r in results] == list(range(1, len(results) + 1))
    assert {r["run_id"] for r in results} == {reference["run_id"]}
    assert {r["chain"] for r in results} == {chained.invocations[0].request_id}
    assert [r["status"] for r in results] == ["incomplete"] * (len(results) - 1) + ["complete"], [
        {k: v for k, v in r.items() if k != "files"} for r in results
    ]
    assert all(r["continued"] is True for r in results[:-1])
    # every continuation came back through the Lambda Invoke API, not from the test
    assert [i.origin for i in chained.invocations] == ["test"] + ["invoke-api"] * (len(results) - 1)

    got = data_files(aws_env, bucket)
    assert sorted(got) == sorted(expected)
    assert got == expected  # same names, same bytes
    assert results[-1]["files"] == reference["files"]
    assert results[-1]["misses"] == reference["misses"]
    for key in ("requested", "written", "not_found", "failed"):
        assert results[-1][key] == reference[key]
    ids = [orjson.loads(line)["id"] for data in got.values() for line in data.splitlines()]
    assert len(ids) == len(set(ids)) == reference["written"]  # no duplicates
    claims = [k for k in bucket_files(aws_env, bucket) if "/continuations/" in k]
    assert len(claims) == len(results) - 1
    assert_clean(chained, planted_secret)


@pytest.mark.slow
def test_step_functions_mode_returns_the_next_event_until_complete(
    lambda_runner: LambdaRunner, aws_env: str, planted_secret: str
) -> None:
    """The state machine's loop, played by the test: feed ``next_event`` back until ``complete``."""
    event = {"source": "discover", "genres": ["TV Movie", "Western"], "date": DAY}
    reference_bucket, reference = reference_run(lambda_runner, event)
    assert reference["files_total"] > 3  # more than the 3 chunks one invocation can do
    bucket = lambda_runner.new_bucket()
    env = {
        "CONTINUATION_MODE": "stepfunctions",
        "CINELAKE_TMDB_RATE_LIMIT": str(RATE),
        "SAFETY_MARGIN_SECONDS": str(MARGIN_S),
    }
    results: list[dict[str, Any]] = []
    current: dict[str, Any] = event
    for _ in range(20):
        run = lambda_runner.run([current], bucket=bucket, timeout_ms=(WINDOW_S + MARGIN_S) * 1000, env=env)
        (invocation,) = run.invocations  # nothing self-invokes in this mode
        results.append(invocation.result)
        assert_clean(run, planted_secret)
        if invocation.result["status"] != "incomplete":
            break
        current = invocation.result["next_event"]
        assert current["run_id"] == reference["run_id"]
    assert len(results) >= 2
    assert results[-1]["status"] == "complete"
    assert [r["invocation"] for r in results] == list(range(1, len(results) + 1))
    assert data_files(aws_env, bucket) == data_files(aws_env, reference_bucket)


@pytest.mark.slow
def test_chain_limit_stops_with_a_resume_event_that_finishes_the_run(
    lambda_runner: LambdaRunner, aws_env: str, planted_secret: str
) -> None:
    event = {"source": "discover", "genres": ["TV Movie", "Western"], "date": DAY}
    reference_bucket, reference = reference_run(lambda_runner, event)
    assert reference["files_total"] > 3  # more than the 3 chunks one invocation can do
    bucket = lambda_runner.new_bucket()
    env = {"CINELAKE_TMDB_RATE_LIMIT": str(RATE), "SAFETY_MARGIN_SECONDS": str(MARGIN_S), "MAX_CHAIN": "1"}
    first = lambda_runner.run([event], bucket=bucket, timeout_ms=(WINDOW_S + MARGIN_S) * 1000, env=env)
    (stopped,) = first.invocations
    assert stopped.result["status"] == "error"
    assert "chain limit reached" in stopped.result["error"] and "MAX_CHAIN=1" in stopped.result["error"]
    resume = stopped.result["resume"]
    assert resume["run_id"] == reference["run_id"] and resume["invocation"] == 1

    finished = lambda_runner.run([resume], bucket=bucket, env={"CINELAKE_TMDB_RATE_LIMIT": "1000"})
    (last,) = finished.invocations
    assert last.result["status"] == "complete"
    assert data_files(aws_env, bucket) == data_files(aws_env, reference_bucket)
    assert_clean(first, planted_secret)


@pytest.mark.slow
def test_step_functions_mode_ends_the_run_at_max_chain_with_what_it_has(
    lambda_runner: LambdaRunner, planted_secret: str
) -> None:
    """The cap of passes in Step Functions mode: no next_event past MAX_CHAIN, but a partial answer the
    state machine takes as the ingestion's end, with its counts and the resume event."""
    event = {"source": "discover", "genres": ["TV Movie", "Western"], "date": DAY}
    env = {
        "CONTINUATION_MODE": "stepfunctions",
        "CINELAKE_TMDB_RATE_LIMIT": str(RATE),
        "SAFETY_MARGIN_SECONDS": str(MARGIN_S),
        "MAX_CHAIN": "1",
    }
    bucket = lambda_runner.new_bucket()
    run = lambda_runner.run([event], bucket=bucket, timeout_ms=(WINDOW_S + MARGIN_S) * 1000, env=env)
    (only,) = run.invocations
    answer = only.result
    assert answer["status"] == "partial" and "next_event" not in answer
    assert "still incomplete after 1 invocations (MAX_CHAIN=1)" in answer["ended"]
    assert answer["failed"] == 0 and answer["written"] <= answer["requested"]  # cut while listing: 0 of 0
    assert answer["resume"]["run_id"] == answer["run_id"] and answer["resume"]["invocation"] == 1
    assert_clean(run, planted_secret)


BAD_EVENTS = [
    (
        {"source": "discover", "genres": ["Comedy"], "kind": "films"},
        "kind: Input should be 'movies' or 'series'",
    ),
    ({"source": "csv"}, "source 'csv' needs a csv"),
    ({"genres": ["Comedy"], "date": "26/11/2026"}, "date: "),
    ({"genres": ["Not A Genre"], "date": DAY}, "unknown genre(s) Not A Genre"),
    (
        {"genres": ["Comedy"], "run_id": "20200101-movies-discover-0000000000"},
        "is not the run of this request",
    ),
    (["a", "list"], "expected a JSON object, got list"),
]


def test_a_series_discover_run_writes_series(
    lambda_runner: LambdaRunner, aws_env: str, planted_secret: str
) -> None:
    """What a stack deployed with Kind=series and the default discover source runs on its schedule."""
    from cinelake.tmdb.snapshot.tv import load_tv_snapshot

    bucket = lambda_runner.new_bucket()
    env = {"KIND": "series", "SOURCE": "discover", "GENRES": "Comedy,Animation"}
    scheduled = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {"date": DAY}}
    run = lambda_runner.run([scheduled], bucket=bucket, env=env)
    (invocation,) = run.invocations
    result = invocation.result
    assert (result["status"], result["kind"], result["source"]) == ("complete", "series", "discover"), result
    expected = {i for i, s in load_tv_snapshot().series.items() if {g["id"] for g in s["genres"]} & {16, 35}}
    assert result["written"] == len(expected) == 42
    files = data_files(aws_env, bucket)
    assert files and all(k.startswith("Raw/TMDB/JSON/Series/2026/11/26/series-") for k in files)
    ids = {orjson.loads(line)["id"] for body in files.values() for line in body.splitlines()}
    assert ids == expected
    assert_clean(run, planted_secret)


def test_bad_events_return_one_clear_error_line(lambda_runner: LambdaRunner, planted_secret: str) -> None:
    run = lambda_runner.run([event for event, _ in BAD_EVENTS], bucket=lambda_runner.new_bucket())
    assert len(run.invocations) == len(BAD_EVENTS)
    for invocation, (event, expected) in zip(run.invocations, BAD_EVENTS, strict=True):
        assert invocation.error is None, event  # returned, not raised: retrying would not help
        result = invocation.result
        assert result["status"] == "error", event
        assert expected in result["error"], (event, result)
        assert "\n" not in result["error"]
    assert "Traceback" not in "\n".join(run.lines)
    assert_clean(run, planted_secret)


def test_rejected_or_missing_credentials_are_returned_without_the_secret(
    lambda_runner: LambdaRunner, planted_secret: str
) -> None:
    wrong = planted_secret[::-1]  # a token the server refuses, itself a secret that must not leak
    bad_secret = lambda_runner.new_secret(f'{{"read_access_token": "{wrong}"}}')
    event = {"genres": ["Western"], "date": DAY}
    run = lambda_runner.run([event], bucket=lambda_runner.new_bucket(), secret_id=bad_secret)
    (refused,) = run.invocations
    assert refused.result["status"] == "error", refused.result
    assert "rejected the credentials" in refused.result["error"]
    assert_clean(run, wrong)

    missing = lambda_runner.run([event], bucket=lambda_runner.new_bucket(), secret_id="no/such/secret")
    (absent,) = missing.invocations
    assert absent.result["status"] == "error"
    assert "secretsmanager:no/such/secret" in absent.result["error"]
    assert "ResourceNotFoundException" in absent.result["error"]


def test_the_handler_writes_only_to_tmp_and_the_bucket_and_imports_nothing_heavy(
    lambda_runner: LambdaRunner, aws_env: str, planted_secret: str
) -> None:
    bucket = lambda_runner.new_bucket()
    run = lambda_runner.run(
        [{"genres": ["Western"], "date": DAY}],
        bucket=bucket,
        launcher=lambda workdir: [sys.executable, str(AUDITED)],
    )
    (invocation,) = run.invocations
    assert invocation.result["status"] == "complete", invocation.result
    audit = [line for line in run.lines if line.startswith("AUDIT-")]
    assert audit == []
    # the Lambda's read-only task folder and its HOME stay empty; the bucket holds the run
    assert list((run.workdir / "task").iterdir()) == []
    assert list((run.workdir / "home").iterdir()) == []
    assert data_files(aws_env, bucket)
    assert_clean(run, planted_secret)


def test_the_audit_hook_would_see_a_stray_write_and_a_heavy_import(lambda_runner: LambdaRunner) -> None:
    """The audit above can fail: a handler that writes into its working folder is reported."""
    run = lambda_runner.run(
        [{}],
        bucket=lambda_runner.new_bucket(),
        launcher=lambda workdir: [sys.executable, str(AUDITED)],
        handler="tests.aws.stray_handler.handler",
    )
    (invocation,) = run.invocations
    assert invocation.result == {"wrote": "stray.txt"}
    audit = [line for line in run.lines if line.startswith("AUDIT-")]
    assert any(line.startswith("AUDIT-WRITE open") and "stray.txt" in line for line in audit), audit
    assert "AUDIT-IMPORT starlette" in audit


def test_a_csv_run_reads_the_uploaded_csv_and_reports_its_misses(
    lambda_runner: LambdaRunner, aws_env: str, planted_secret: str, real_data: Path
) -> None:
    import boto3

    bucket = lambda_runner.new_bucket()
    key = "Raw/Local/CSV/Movies/2026/11/26/movies.csv"
    source = real_data / "compass_uol_sample" / "movies_subset_1.csv"
    boto3.client("s3", endpoint_url=aws_env).put_object(Bucket=bucket, Key=key, Body=source.read_bytes())
    ids = {line.split("|", 1)[0] for line in source.read_text().splitlines()[1:] if line.strip()}

    event = {"source": "csv", "csv": f"s3://{bucket}/{key}", "genres": ["all"], "kind": "movies", "date": DAY}
    run = lambda_runner.run([event], bucket=bucket)
    (invocation,) = run.invocations
    result = invocation.result
    assert result["status"] == "complete", result
    assert result["requested"] == len(ids)
    assert result["written"] + result["not_found"] + result["failed"] == len(ids)
    assert len(result["misses"]) == result["not_found"]
    assert {m["id"] for m in result["misses"]} <= ids and all(m["reason"] for m in result["misses"])
    written = data_files(aws_env, bucket)
    assert sorted(written) == sorted(result["files"])
    assert sum(len(data.splitlines()) for data in written.values()) == result["written"]
    assert_clean(run, planted_secret)
