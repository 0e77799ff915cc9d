"""The stop condition, the hand-off claim and the async self-invocation, each on its own."""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import boto3
import pytest
from awslambdaric.lambda_context import LambdaContext

from cinelake.aws.continuation import (
    ContinuationError,
    claim_handoff,
    deadline_guard,
    invoke_self,
    made_progress,
)
from cinelake.aws.events import ResolvedEvent
from cinelake.ingest.tmdb import IngestResult
from cinelake.lake.store import Lake
from tests.aws.runtime_api import RESPONSE_LIMIT, RuntimeAPI, RuntimeProcess, base_env, run_until_idle

REPO = Path(__file__).resolve().parents[2]


def context_with(remaining_ms: int) -> LambdaContext:
    deadline = int(time.time() * 1000) + remaining_ms
    return LambdaContext("req-1", None, None, deadline, "arn:aws:lambda:us-east-1:123456789012:function:f")


def test_deadline_guard_turns_true_inside_the_margin() -> None:
    assert deadline_guard(context_with(120_000), margin_seconds=60)() is False
    assert deadline_guard(context_with(30_000), margin_seconds=60)() is True
    assert deadline_guard(context_with(-5), margin_seconds=0.5)() is True


def test_only_one_copy_of_an_invocation_claims_the_hand_off() -> None:
    lake = Lake(f"memory://claims-{uuid.uuid4().hex}")
    assert claim_handoff(lake, "run-1", "chain-a", 2, "req-1") is True
    assert claim_handoff(lake, "run-1", "chain-a", 2, "req-2") is False  # a duplicate delivery
    assert claim_handoff(lake, "run-1", "chain-a", 2, "req-1") is True  # a retry of the claimer
    assert claim_handoff(lake, "run-1", "chain-b", 2, "req-3") is True  # a new chain (a resume)
    assert lake.list_files("Raw/TMDB/_runs/run-1", include_hidden=True) == [
        "Raw/TMDB/_runs/run-1/continuations/chain-a-00002.json",
        "Raw/TMDB/_runs/run-1/continuations/chain-b-00002.json",
    ]


def _event() -> ResolvedEvent:
    return ResolvedEvent(
        source="discover", csv=None, genres=("Comedy",), kind="movies", date=date(2026, 11, 26),
        run_id="run-1", invocation=2, chain="chain-a",
    )  # fmt: skip


@pytest.mark.integration
def test_invoke_self_queues_an_async_invocation_through_the_invoke_api() -> None:
    with RuntimeAPI() as api:
        client = boto3.client(
            "lambda", endpoint_url=api.url, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )  # fmt: skip
        invoke_self(api.function_arn, _event(), client=client)
        queued = api.pending.get_nowait()
        assert queued.origin == "invoke-api"
        assert json.loads(queued.payload) == _event().payload()
        with pytest.raises(ContinuationError, match="ResourceNotFoundException"):
            invoke_self(api.function_arn + "-other", _event(), client=client)


@pytest.mark.integration
def test_the_harness_runs_a_handler_under_awslambdaric(tmp_path: Path) -> None:
    """The Runtime API server speaks the protocol awslambdaric expects (request id, deadline, ARN)."""
    with RuntimeAPI(timeout_ms=30_000) as api:
        env = base_env({"PYTHONPATH": os.pathsep.join([str(REPO), *sys.path[1:]])})
        runtime = RuntimeProcess(
            api, env, cwd=tmp_path, log_path=tmp_path / "log.txt", handler="tests.aws.echo_handler.handler"
        )
        ok = api.enqueue({"hello": "world"})
        failing = api.enqueue({"fail": True})
        done = run_until_idle(runtime, cold=False, limit=5, timeout=60)
    assert [d.request_id for d in done] == [ok.request_id, failing.request_id]
    assert ok.result["event"] == {"hello": "world"}
    assert ok.result["request_id"] == ok.request_id
    assert ok.result["function_arn"] == api.function_arn
    assert 0 < ok.result["remaining_ms"] <= 30_000
    assert failing.error["errorType"] == "RuntimeError"
    assert failing.error["errorMessage"] == "asked to fail"


def _echo_runtime(api: RuntimeAPI, tmp_path: Path) -> RuntimeProcess:
    env = base_env({"PYTHONPATH": os.pathsep.join([str(REPO), *sys.path[1:]])})
    return RuntimeProcess(
        api, env, cwd=tmp_path, log_path=tmp_path / "log.txt", handler="tests.aws.echo_handler.handler"
    )


@pytest.mark.integration
def test_an_invocation_past_its_deadline_is_killed_and_answered_sandbox_timedout(tmp_path: Path) -> None:
    """As on Lambda: the process is killed at the deadline, the answer is Sandbox.Timedout, and the
    next invocation gets a fresh process."""
    with RuntimeAPI(timeout_ms=1_500) as api:
        runtime = _echo_runtime(api, tmp_path)
        slow = api.enqueue({"sleep": 30})
        after = api.enqueue({"hello": "again"})
        started = time.monotonic()
        done = run_until_idle(runtime, cold=False, limit=5, timeout=20)
        waited = time.monotonic() - started
    assert [d.request_id for d in done] == [slow.request_id, after.request_id]
    assert slow.error["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.50 seconds" in slow.error["errorMessage"]
    assert after.result["event"] == {"hello": "again"}
    assert runtime.starts == 2  # the timed-out process was not reused
    assert waited < 30  # the sleep was cut short, not waited out


@pytest.mark.integration
def test_a_crashed_runtime_answers_runtime_exit_error_at_once(tmp_path: Path) -> None:
    with RuntimeAPI(timeout_ms=600_000) as api:
        runtime = _echo_runtime(api, tmp_path)
        crash = api.enqueue({"exit": 3})
        done = run_until_idle(runtime, cold=False, limit=5, timeout=30)  # far less than the 600 s deadline
    assert [d.request_id for d in done] == [crash.request_id]
    assert crash.error["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in crash.error["errorMessage"]


@pytest.mark.integration
def test_a_response_over_6_mb_is_refused_as_lambda_refuses_it(tmp_path: Path) -> None:
    with RuntimeAPI(timeout_ms=60_000) as api:
        runtime = _echo_runtime(api, tmp_path)
        big = api.enqueue({"bytes": RESPONSE_LIMIT})
        fits = api.enqueue({"bytes": RESPONSE_LIMIT - 4096})
        run_until_idle(runtime, cold=False, limit=5, timeout=60)
    assert big.result is None and big.error["errorType"] == "Function.ResponseSizeTooLarge"
    assert len(fits.result["blob"]) == RESPONSE_LIMIT - 4096


def _result(**fields: object) -> IngestResult:
    base: dict[str, object] = {
        "run_id": "run-1", "status": "incomplete", "requested": 300, "written": 200, "not_found": 0,
        "failed": 1, "files": [], "manifest": "m.json", "chunks_total": 3,
    }  # fmt: skip
    return IngestResult(**{**base, **fields})  # type: ignore[arg-type]


def test_progress_is_a_chunk_done_or_a_listing_step_saved_in_this_invocation() -> None:
    assert made_progress(_result(chunks_done=2, chunks_skipped=1))  # one chunk newly done
    assert not made_progress(_result(chunks_done=2, chunks_skipped=2))  # only the failing chunk redone
    assert made_progress(_result(chunks_done=0, chunks_skipped=0, listing={"steps_done": 1}))
    assert not made_progress(_result(chunks_done=0, chunks_skipped=0, listing={"steps_done": 0}))
