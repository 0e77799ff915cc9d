"""Going past Lambda's 15-minute limit: when to stop, and how the same run goes on.

The ingestion job stops taking new ids once :func:`deadline_guard` turns true, records its checkpoint
in the run manifest and returns ``incomplete``; calling it again with the same request resumes. Here
the handler either invokes its own function asynchronously with the resolved event (mode ``self``) or
hands ``next_event`` back to a Step Functions loop (mode ``stepfunctions``).

Every chain ends: a pass after the first that settled nothing new (:func:`made_progress` is false,
e.g. the only ids left fail on every attempt) or the ``MAX_CHAIN``-th pass ends it, whatever is left.

Async invocations are delivered at least once, so the hand-off is claimed first with a put-if-absent
object under the run's bookkeeping folder: of two copies of invocation *n*, only one starts *n + 1*.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from cinelake.aws.events import ResolvedEvent
from cinelake.errors import CinelakeError
from cinelake.lake import layout
from cinelake.lake.store import Lake

if TYPE_CHECKING:
    from cinelake.ingest.tmdb import IngestResult


class LambdaContextLike(Protocol):
    """What the handler reads from Lambda's context object."""

    aws_request_id: str
    invoked_function_arn: str

    def get_remaining_time_in_millis(self) -> int: ...


class ContinuationError(CinelakeError):
    """The next invocation could not be started (the run stays resumable from its manifest)."""


def deadline_guard(context: LambdaContextLike, margin_seconds: float) -> Callable[[], bool]:
    """A ``should_stop`` that turns true once less than ``margin_seconds`` of the invocation is left."""
    margin_ms = margin_seconds * 1000.0

    def should_stop() -> bool:
        return context.get_remaining_time_in_millis() < margin_ms

    return should_stop


def made_progress(result: IngestResult) -> bool:
    """True if this invocation saved work the next one will not redo.

    A chunk checkpointed as done in this invocation, or a step of the discover listing saved, counts;
    a chunk redone only to fail again on the same ids does not.
    """
    if result.chunks_done > result.chunks_skipped:
        return True
    return bool(result.listing.get("steps_done", 0))


def claim_handoff(lake: Lake, run_id: str, chain: str, invocation: int, request_id: str) -> bool:
    """True if this invocation is the one that starts ``invocation`` of ``chain`` (first claim wins).

    Lambda retries a failed async invocation with the same request id, so a retry of the claimer
    (whose hand-off failed after the claim) may claim again.
    """
    path = layout.run_continuation(run_id, chain, invocation)
    record = orjson.dumps({"chain": chain, "invocation": invocation, "claimed_by": request_id})
    if lake.put_if_absent(path, record):
        return True
    try:
        claimed_by = orjson.loads(lake.read_bytes(path)).get("claimed_by")
    except (orjson.JSONDecodeError, AttributeError):
        return False
    return bool(claimed_by == request_id)


def invoke_self(function_arn: str, event: ResolvedEvent, client: Any = None) -> None:
    """Start the next invocation asynchronously (``InvocationType=Event``) with ``event`` as payload."""
    import boto3  # in the Lambda runtime; imported here so the CLI starts fast

    lam = client or boto3.client("lambda")
    try:
        response = lam.invoke(
            FunctionName=function_arn,
            InvocationType="Event",
            Payload=orjson.dumps(event.payload()),
        )
    except Exception as exc:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code") or type(exc).__name__
        raise ContinuationError(f"could not invoke {function_arn} to continue the run: {code}") from None
    status = int(response.get("StatusCode", 0))
    if status != 202:
        raise ContinuationError(
            f"invoking {function_arn} to continue the run answered HTTP {status}, not 202"
        )
