"""Keep TMDB secrets out of log records and messages.

httpx logs every request URL at INFO (``HTTP Request: GET https://...?api_key=...``), and a v3 api key travels
in the query string, so the key would reach any log handler. A filter on the loggers that can see a URL
rewrites each record before any handler formats it.
"""

from __future__ import annotations

import logging
import threading

MASK = "***"
# Masking a one- or two-letter "secret" (a placeholder token for the offline server) would mangle every
# message without protecting anything; real TMDB keys are 32 characters and tokens longer.
MIN_SECRET_LENGTH = 4
# A logger's filters see only the records logged on that very logger (not its children's): name each one.
_WATCHED_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "aiohttp.client",
    "aiohttp.internal",
    "cinelake.tmdb.client",
)


class _SecretRegistry:
    """The secrets of the clients now open, process wide (log records are process wide too)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._secrets: tuple[str, ...] = ()

    def add(self, secret: str) -> None:
        with self._lock:
            self._counts[secret] = self._counts.get(secret, 0) + 1
            self._secrets = tuple(self._counts)

    def remove(self, secret: str) -> None:
        with self._lock:
            left = self._counts.get(secret, 0) - 1
            if left > 0:
                self._counts[secret] = left
            else:
                self._counts.pop(secret, None)
            self._secrets = tuple(self._counts)

    @property
    def secrets(self) -> tuple[str, ...]:
        return self._secrets


_registry = _SecretRegistry()


def redact(text: str, secrets: tuple[str, ...] | None = None) -> str:
    """``text`` with every known secret (or the given ones) replaced by ``***``."""
    for secret in _registry.secrets if secrets is None else secrets:
        if len(secret) >= MIN_SECRET_LENGTH and secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Formats the record's message once, with the secrets masked, so no handler can see them."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _registry.secrets
        if not secrets:
            return True
        message = record.getMessage()
        cleaned = redact(message, secrets)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


_FILTER = RedactingFilter()


def _install_filter() -> None:
    for name in _WATCHED_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def register_secret(secret: str) -> None:
    """Start masking ``secret`` in the records of httpx, httpcore, aiohttp and the TMDB client."""
    if len(secret) < MIN_SECRET_LENGTH:
        return
    _install_filter()
    _registry.add(secret)


def unregister_secret(secret: str) -> None:
    if len(secret) >= MIN_SECRET_LENGTH:
        _registry.remove(secret)
