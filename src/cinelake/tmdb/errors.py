"""TMDB errors: a small hierarchy under :class:`cinelake.errors.CinelakeError`.

Each error carries the HTTP ``status`` and TMDB's own ``status_code`` (``tmdb_code``) where known. No message
ever holds the secret: the client builds every message from redacted URLs and TMDB's ``status_message``.
"""

from __future__ import annotations

from typing import Any

import orjson

from cinelake.errors import CinelakeError, clip_text

# TMDB status codes (https://developer.themoviedb.org/docs/errors) that the client treats specially.
AUTH_CODES = frozenset({3, 7, 10, 14, 30, 31, 32, 33, 35, 36})
NOT_FOUND_CODES = frozenset({6, 34, 37})
RATE_LIMIT_CODE = 25


class TMDBError(CinelakeError):
    """Something went wrong talking to TMDB (or to a TMDB-compatible server)."""

    def __init__(self, message: str, *, status: int | None = None, tmdb_code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.tmdb_code = tmdb_code


class TMDBAuthError(TMDBError):
    """The server rejected the credentials (HTTP 401, TMDB status_code 7 or 10...). Never retried."""

    exit_code = 2


class TMDBNotFound(TMDBError):
    """The resource does not exist (HTTP 404, TMDB status_code 6 or 34): a miss, not a failure."""


class TMDBRequestError(TMDBError):
    """The request failed for good: a client error TMDB will not accept, or retries were exhausted."""


class TMDBResponseError(TMDBError):
    """A response body that is not the JSON object expected (truncated, HTML, wrong shape)."""


class ErrorBody:
    """TMDB's error body: ``{"status_code": 34, "status_message": "...", "success": false}``.

    ``success`` may be absent, and validation errors come as ``{"errors": ["query must be provided"]}``.
    """

    __slots__ = ("status_code", "status_message")

    def __init__(self, status_code: int | None, status_message: str | None) -> None:
        self.status_code = status_code
        self.status_message = status_message

    @classmethod
    def parse(cls, body: bytes) -> ErrorBody:
        """What can be read from ``body``; an unreadable body gives an empty ErrorBody, never an exception."""
        try:
            data: Any = orjson.loads(body)
        except orjson.JSONDecodeError:
            return cls(None, None)
        if not isinstance(data, dict):
            return cls(None, None)
        code = data.get("status_code")
        message = data.get("status_message")
        errors = data.get("errors")
        if message is None and isinstance(errors, list) and errors:
            message = "; ".join(str(e) for e in errors)
        text = clip_text(str(message)) if message is not None else None
        return cls(code if isinstance(code, int) else None, text)

    def describe(self) -> str:
        """``status_code 7: Invalid API key...`` or whatever part of it is known."""
        if self.status_code is not None and self.status_message:
            return f"status_code {self.status_code}: {self.status_message}"
        if self.status_message:
            return self.status_message
        if self.status_code is not None:
            return f"status_code {self.status_code}"
        return "no TMDB error body"
