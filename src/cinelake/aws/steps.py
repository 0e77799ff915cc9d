"""What every step of the daily state machine shares: one JSON log line per outcome, one-line errors.

A step's library call either answers (a JSON object for the next state) or raises. A problem the
caller must fix (exit code 2: bad input, bad configuration) is raised as :class:`StepRefused`, which
the state machine does not retry; anything else (S3, Glue, a damaged file) as :class:`StepFailed`,
which it retries. Either way the message is the library's one line, and it becomes the execution's
error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from cinelake.aws import jsonlog
from cinelake.errors import CinelakeError

log = logging.getLogger("cinelake.aws.step")


class StepFailed(CinelakeError):
    """A transient failure of a step: the state machine retries it (the step resumes or skips)."""


class StepRefused(CinelakeError):
    """A step cannot run as configured: retrying would not help."""

    exit_code = 2


def run_step(name: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``work`` as the step ``name``: log its outcome as one JSON line, map its errors."""
    formatter = jsonlog.configure()
    formatter.context = {"step": name}
    started = time.monotonic()
    try:
        answer = work()
    except CinelakeError as exc:
        message = str(exc) or type(exc).__name__
        refused = exc.exit_code == 2
        log.error(
            f"{name} step failed",
            extra={"fields": {"error_type": type(exc).__name__, "error": message, "retryable": not refused}},
        )
        raise (StepRefused if refused else StepFailed)(message) from None
    answer["elapsed_s"] = round(time.monotonic() - started, 3)
    log.info(
        f"{name} step done", extra={"fields": {k: v for k, v in answer.items() if not isinstance(v, list)}}
    )
    return answer
