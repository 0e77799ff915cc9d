"""A handler that returns what it saw, to check the Runtime API harness on its own."""

from __future__ import annotations

from typing import Any


def handler(event: Any, context: Any) -> dict[str, Any]:
    if isinstance(event, dict) and event.get("fail"):
        raise RuntimeError("asked to fail")
    return {
        "event": event,
        "request_id": context.aws_request_id,
        "function_arn": context.invoked_function_arn,
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
