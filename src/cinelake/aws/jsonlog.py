"""JSON log lines for CloudWatch: one object per line, secrets redacted from the finished line.

Every record (cinelake's, the ingestion job's, the libraries') goes through one handler on the root
logger that writes ``{"time", "level", "logger", "message", ...context, ...fields}``. The context
(run id, request id, invocation number) is set once per invocation; a call adds its own fields with
``logger.info("...", extra={"fields": {...}})``. Redaction runs on the serialized line, so a secret is
removed wherever it hides (message, arguments, fields, exception text).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable
from typing import IO, Any

import orjson

REDACTED = "[redacted]"
_HANDLER_NAME = "cinelake-json-lines"
# Libraries that log request URLs (an api_key may ride in a query string) stay at WARNING.
QUIET_LOGGERS = ("httpx", "httpcore", "botocore", "boto3", "aiobotocore", "s3fs", "urllib3")


class JsonLineFormatter(logging.Formatter):
    """A record as one JSON object, with the invocation's context and the secrets removed."""

    def __init__(self) -> None:
        super().__init__()
        self.context: dict[str, Any] = {}
        self._secrets: tuple[str, ...] = ()

    def set_secrets(self, values: Iterable[str]) -> None:
        found = {v for v in values if v}
        # The JSON-escaped form too, in case a value holds characters JSON escapes.
        found |= {orjson.dumps(v).decode()[1:-1] for v in list(found)}
        self._secrets = tuple(sorted(found, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update(self.context)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            data.update(fields)
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            data["error_type"] = type(exc).__name__
            data["error"] = str(exc)
        line = orjson.dumps(data, default=str).decode()
        return self.redact(line)


def configure(
    stream: IO[str] | None = None, level: int = logging.INFO, secrets: Iterable[str] = ()
) -> JsonLineFormatter:
    """Route every log record to ``stream`` as JSON lines; idempotent across warm invocations."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is None:
        handler = logging.StreamHandler(stream or sys.stdout)
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(JsonLineFormatter())
        # Lambda's runtime installs a plain-text handler; one format per line means one handler.
        for other in list(root.handlers):
            root.removeHandler(other)
        root.addHandler(handler)
    elif stream is not None and isinstance(handler, logging.StreamHandler):
        handler.setStream(stream)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    formatter = handler.formatter
    assert isinstance(formatter, JsonLineFormatter)
    formatter.context = {}
    formatter.set_secrets(secrets)
    return formatter
