"""A handler that returns what it saw, to check the Runtime API harness on its own.

``{"fail": true}`` raises, ``{"sleep": s}`` sleeps ``s`` seconds first, ``{"exit": n}`` ends the
process with code ``n`` (a crash), ``{"bytes": n}`` answers a string of ``n`` characters.
"""

from __future__ import annotations

import os
import time
from typing import Any


def handler(event: Any, context: Any) -> dict[str, Any]:
    if isinstance(event, dict) and event.get("fail"):
        raise RuntimeError("asked to fail")
    if isinstance(event, dict) and "exit" in event:
        os._exit(int(event["exit"]))
    if isinstance(event, dict) and event.get("sleep"):
        time.sleep(float(event["sleep"]))
    answer: dict[str, Any] = {
        "event": event,
        "request_id": context.aws_request_id,
        "function_arn": context.invoked_function_arn,
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
    if isinstance(event, dict) and event.get("bytes"):
        answer["blob"] = "x" * int(event["bytes"])
    return answer
