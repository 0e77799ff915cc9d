"""The AWS Lambda entry point of the TMDB ingestion: ``cinelake.aws.lambda_handler.handler``.

One invocation validates the event (defaults from the function's environment), reads the TMDB secret,
runs :func:`cinelake.ingest.tmdb.ingest_tmdb` against ``s3://$BUCKET`` until the safety margin before
the deadline, and, when the run is not finished, hands it on: to a fresh asynchronous invocation of
the same function (``CONTINUATION_MODE=self``) or back to a Step Functions loop
(``CONTINUATION_MODE=stepfunctions``). The job's run id comes from the request, so every invocation of
a chain resumes the same run and the lake ends with the files one long run would leave.

Outcomes:

* a problem the caller must fix (bad event, missing secret, rejected credentials, chain limit) is
  *returned* as ``{"status": "error", "error": "<one line>"}``: retrying would not help;
* in ``stepfunctions`` mode a chain that cannot finish (a pass that settled nothing new, or the
  ``MAX_CHAIN``-th pass) is *returned* as ``{"status": "partial", "ended": "<why>"}`` with its counts
  and the failed ids and their reasons: the day goes on with what the run has, and the run manifest
  keeps the failures (the resume event in ``resume`` fetches them again later);
* a transient failure (storage, TMDB unreachable after retries, the hand-off failing) is *raised*
  with a one-line message, so Lambda's async retry (or the state machine's Retry) runs the invocation
  again; the run resumes from its manifest.

Every log line is one JSON object; no log line and no returned value holds the secret.

This module imports nothing heavy (no Spark, DuckDB, pandas, pyarrow, plotly, starlette, uvicorn):
a cold start pays only for pydantic, boto3, fsspec/s3fs and httpx.
"""

from __future__ import annotations

import logging
import time
from typing import Any

# Imported at init, not on the first invocation: Lambda runs the init phase before the invocation's
# clock starts, so the SDK and the S3 filesystem cost nothing against the 15 minutes.
import boto3  # noqa: F401
import s3fs  # noqa: F401

from cinelake.aws import jsonlog
from cinelake.aws.continuation import (
    LambdaContextLike,
    claim_handoff,
    deadline_guard,
    invoke_self,
    made_progress,
)
from cinelake.aws.environment import ContinuationMode, FunctionEnvironment, load_environment
from cinelake.aws.events import EventError, ResolvedEvent, resolve_event
from cinelake.aws.secrets import TMDBCredentials, load_tmdb_credentials
from cinelake.config import Settings, get_settings
from cinelake.errors import CinelakeError
from cinelake.ingest.tmdb import IngestResult, TMDBIngestRequest, ingest_tmdb
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake

log = logging.getLogger("cinelake.aws.lambda")

# A warm container reuses the secret for a while instead of asking the store on every invocation.
SECRET_TTL_SECONDS = 300.0
FILES_IN_SUMMARY = 100
# The failed ids travel on in the state machine's state (256 KiB in all, for every run of the day):
# the first 20 of each run, each reason cut to 300 characters; the run manifest keeps them all.
FAILURES_IN_SUMMARY = 20
REASON_CHARS = 300
_secret_cache: dict[str, tuple[float, TMDBCredentials]] = {}


class InvocationFailed(CinelakeError):
    """A transient failure: raised so that Lambda retries the invocation (the run resumes)."""


def _credentials(settings: Settings) -> TMDBCredentials:
    key = f"{settings.tmdb_secret_id}|{settings.tmdb_ssm_parameter}"
    cached = _secret_cache.get(key)
    now = time.monotonic()
    if cached and now - cached[0] < SECRET_TTL_SECONDS:
        return cached[1]
    credentials = load_tmdb_credentials(settings)
    _secret_cache[key] = (now, credentials)
    return credentials


def build_request(event: ResolvedEvent, lake: Lake) -> TMDBIngestRequest:
    """The ingestion job's request for a resolved event, validated by the job (a UsageError if not).

    The CSV is named by its full lake URL, as ``cinelake ingest tmdb --from-csv s3://...`` names it,
    so the CLI and the function compute the same run id for the same request (once pinned to the CSV's
    content, see :meth:`TMDBIngestRequest.pinned`).
    """
    request = TMDBIngestRequest(
        kind=Kind.MOVIES if event.kind == "movies" else Kind.SERIES,
        day=event.date,
        source=event.source,
        csv=lake.uri(event.csv) if event.csv else None,
        genres=event.genres,
        incremental=event.incremental,
        release_from=event.release_from,
        release_to=event.release_to,
    )
    return request.normalized()


def _summary(result: IngestResult, event: ResolvedEvent, request_id: str) -> dict[str, Any]:
    files = list(result.files)
    return {
        "status": result.status,
        "run_id": result.run_id,
        "request_id": request_id,
        "invocation": event.invocation,
        "chain": event.chain or request_id,
        "kind": event.kind,
        "source": event.source,
        "date": event.date.isoformat(),
        "requested": result.requested,
        "written": result.written,
        "not_found": result.not_found,
        "failed": result.failed,
        "files_total": len(files),
        "files": files[:FILES_IN_SUMMARY],
        "misses": [{"id": m.id, "reason": m.reason} for m in result.first_misses[:FILES_IN_SUMMARY]],
        "failures": [
            {"id": f.id, "reason": f.error[:REASON_CHARS]} for f in result.failures[:FAILURES_IN_SUMMARY]
        ],
        "manifest": result.manifest,
    }


def _continue(
    summary: dict[str, Any],
    result: IngestResult,
    event: ResolvedEvent,
    env: FunctionEnvironment,
    lake: Lake,
    context: LambdaContextLike,
) -> dict[str, Any]:
    """Hand an incomplete run on, as the continuation mode says."""
    run_id, chain = summary["run_id"], summary["chain"]
    following = event.next_invocation(run_id, chain)
    resume = event.model_copy(update={"run_id": run_id, "invocation": 1, "chain": None}).payload()
    summary["continuation_mode"] = env.continuation_mode.value
    if env.continuation_mode is ContinuationMode.STEPFUNCTIONS:
        ended = None
        # The first pass always hands on: its failed ids get one more pass before the day goes on.
        if event.invocation > 1 and not made_progress(result):
            ended = (
                f"invocation {event.invocation} settled no new id ({result.failed} id(s) still failing): "
                "the day goes on without them"
            )
        elif event.invocation >= env.max_chain:
            ended = (
                f"run {run_id} is still incomplete after {event.invocation} invocations "
                f"(MAX_CHAIN={env.max_chain}): the day goes on without the rest"
            )
        if ended is None:
            summary["next_event"] = following.payload()
            return summary
        summary["status"] = "partial"
        summary["ended"] = ended
        summary["resume"] = resume
        return summary
    if event.invocation >= env.max_chain:
        summary["status"] = "error"
        summary["error"] = (
            f"chain limit reached: run {run_id} is still incomplete after {event.invocation} invocations "
            f"(MAX_CHAIN={env.max_chain}); invoke the function with the 'resume' event to continue it"
        )
        summary["resume"] = resume
        return summary
    if not claim_handoff(lake, run_id, chain, following.invocation, summary["request_id"]):
        # Another delivery of this same invocation already started the next one.
        summary["continued"] = False
        summary["note"] = f"invocation {following.invocation} of this chain was already started"
        return summary
    invoke_self(context.invoked_function_arn, following)
    summary["continued"] = True
    summary["next_invocation"] = following.invocation
    return summary


def handler(event: Any, context: LambdaContextLike) -> dict[str, Any]:
    """Run (or continue) one TMDB ingestion; see the module documentation for the event and outcomes."""
    started = time.monotonic()
    # Read first: what the invocation was given, before any set-up work spends it.
    remaining_s = context.get_remaining_time_in_millis() / 1000.0
    formatter = jsonlog.configure()
    request_id = str(getattr(context, "aws_request_id", "") or "local")
    formatter.context = {"request_id": request_id}
    run_id: str | None = None
    try:
        env = load_environment()
        resolved = resolve_event(event, env)
        formatter.context.update(invocation=resolved.invocation, chain=resolved.chain or request_id)
        settings = get_settings()
        credentials = _credentials(settings)
        formatter.set_secrets(credentials.values())
        settings = credentials.apply(settings)
        lake = Lake(env.lake_url, s3_endpoint_url=settings.s3_endpoint_url)
        request = build_request(resolved, lake).pinned(lake)  # the run id names the CSV's content
        run_id = request.run_id
        formatter.context["run_id"] = run_id
        if resolved.run_id and resolved.run_id != run_id:
            raise EventError(
                f"invalid event: run_id {resolved.run_id!r} is not the run of this request ({run_id})"
            )
        # Only the first invocation can tell a timeout too short for the margin from a slow start.
        if remaining_s <= env.safety_margin_seconds and resolved.invocation == 1:
            raise EventError(
                f"the invocation has {remaining_s:.0f} s left, not more than SAFETY_MARGIN_SECONDS="
                f"{env.safety_margin_seconds:g}: raise the function timeout or lower the margin"
            )
        log.info(
            "ingestion invocation started",
            extra={
                "fields": {
                    "event": resolved.payload(),
                    "lake": lake.url,
                    "secret_origin": credentials.origin,
                    "remaining_s": round(remaining_s, 1),
                    "safety_margin_s": env.safety_margin_seconds,
                }
            },
        )
        result = ingest_tmdb(
            lake, request, settings, should_stop=deadline_guard(context, env.safety_margin_seconds)
        )
        summary = _summary(result, resolved, request_id)
        if result.status != "complete":
            summary = _continue(summary, result, resolved, env, lake, context)
        summary["elapsed_s"] = round(time.monotonic() - started, 3)
        level = {"error": logging.ERROR, "partial": logging.WARNING}.get(summary["status"], logging.INFO)
        log.log(level, f"ingestion invocation {summary['status']}", extra={"fields": _loggable(summary)})
        return _redacted(summary, formatter)
    except CinelakeError as exc:
        message = formatter.redact(str(exc)) or type(exc).__name__
        retryable = exc.exit_code != 2
        log.error(
            "ingestion invocation failed",
            extra={"fields": {"error_type": type(exc).__name__, "error": message, "retryable": retryable}},
        )
        if retryable:
            raise InvocationFailed(message) from None
        failure: dict[str, Any] = {"status": "error", "error": message, "request_id": request_id}
        if run_id:
            failure["run_id"] = run_id
        return failure


def _loggable(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary without its lists (one line per invocation stays short)."""
    return {k: v for k, v in summary.items() if k not in ("files", "misses")}


def _redacted(value: Any, formatter: jsonlog.JsonLineFormatter) -> Any:
    """Defence in depth: no returned string carries a secret, whatever put it there."""
    if isinstance(value, str):
        return formatter.redact(value)
    if isinstance(value, dict):
        return {k: _redacted(v, formatter) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v, formatter) for v in value]
    return value
