"""The TMDB credential: given directly, or read from AWS Secrets Manager or SSM Parameter Store.

Where to look is named by the settings: ``TMDB_READ_ACCESS_TOKEN`` / ``TMDB_API_KEY`` (the credential
itself), ``TMDB_SECRET_ID`` (a Secrets Manager secret) or ``TMDB_SSM_PARAMETER`` (a SecureString
parameter). The stored value is either the bare credential or a JSON object
``{"read_access_token": "...", "api_key": "..."}`` (either key may be absent). A bare value is a v4
Read Access Token when it looks like a JWT (three dot-separated parts), else a v3 api key.

The commands (:func:`with_tmdb_credentials`) take a credential given directly first; the Lambda
(:func:`load_tmdb_credentials`) reads the store first. boto3 is imported only when a store is read.
No message raised here ever holds the value; only the secret's *name* is shown.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import SecretStr

from cinelake.config import Settings
from cinelake.errors import ConfigError, needs_aws

_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
_TOKEN_KEYS = ("read_access_token", "TMDB_READ_ACCESS_TOKEN", "token")
_API_KEY_KEYS = ("api_key", "TMDB_API_KEY")


class SecretLookupError(ConfigError):
    """The secret store could not give the TMDB credential (missing, denied, empty, unreadable)."""


@dataclass(frozen=True)
class TMDBCredentials:
    """What was found, and where (``secretsmanager:<id>``, ``ssm:<name>``, ``environment`` or ``none``)."""

    read_access_token: SecretStr | None
    api_key: SecretStr | None
    origin: str

    def values(self) -> tuple[str, ...]:
        """The plain values, for log redaction only."""
        found = (self.read_access_token, self.api_key)
        return tuple(s.get_secret_value() for s in found if s is not None and s.get_secret_value())

    def apply(self, settings: Settings) -> Settings:
        return settings.with_overrides(
            tmdb_read_access_token=self.read_access_token, tmdb_api_key=self.api_key
        )


def parse_secret_value(text: str, origin: str) -> TMDBCredentials:
    """A stored secret (bare credential or JSON object) as credentials."""
    value = text.strip()
    if not value:
        raise SecretLookupError(f"the TMDB secret {origin} is empty: store the Read Access Token in it")
    if value.startswith("{"):
        try:
            data: Any = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise SecretLookupError(f"the TMDB secret {origin} is not valid JSON") from None
        if not isinstance(data, dict):
            raise SecretLookupError(f"the TMDB secret {origin} is not a JSON object")
        token = next((str(data[k]) for k in _TOKEN_KEYS if data.get(k)), None)
        key = next((str(data[k]) for k in _API_KEY_KEYS if data.get(k)), None)
        if not token and not key:
            raise SecretLookupError(
                f"the TMDB secret {origin} holds neither 'read_access_token' nor 'api_key'"
            )
        return TMDBCredentials(SecretStr(token) if token else None, SecretStr(key) if key else None, origin)
    if _JWT.match(value):
        return TMDBCredentials(SecretStr(value), None, origin)
    return TMDBCredentials(None, SecretStr(value), origin)


def _aws_error(exc: Exception) -> str:
    """``ResourceNotFoundException`` and the like, without the service's message (it may echo input)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
    from botocore.exceptions import NoCredentialsError, NoRegionError

    if isinstance(exc, NoRegionError):
        return "no AWS region (set AWS_REGION or AWS_DEFAULT_REGION)"
    if isinstance(exc, NoCredentialsError):
        return "no AWS credentials (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
    return type(exc).__name__


def _region() -> str | None:
    """AWS_REGION (what Lambda and most AWS tools set), else boto3's own search (AWS_DEFAULT_REGION,
    the profile's region)."""
    return os.environ.get("AWS_REGION") or None


class _MuteWhileReading(logging.Filter):
    """Drops the records of the thread that is reading a secret (the other threads' pass)."""

    def __init__(self) -> None:
        super().__init__()
        self.local = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(self.local, "reading", False)


_MUTE = _MuteWhileReading()
# botocore logs every response body at DEBUG, and the body of these calls is the secret itself.
_BODY_LOGGER = "botocore.parsers"


@contextmanager
def _reading_secret() -> Iterator[None]:
    logger = logging.getLogger(_BODY_LOGGER)
    if _MUTE not in logger.filters:
        logger.addFilter(_MUTE)
    before = getattr(_MUTE.local, "reading", False)
    _MUTE.local.reading = True
    try:
        yield
    finally:
        _MUTE.local.reading = before


def from_secrets_manager(secret_id: str, client: Any = None) -> TMDBCredentials:
    origin = f"secretsmanager:{secret_id}"
    if client is None:
        with needs_aws(f"reading the TMDB secret {origin}"):
            import boto3  # only when a store is read, so the CLI starts fast
    try:
        if client is None:
            client = boto3.client("secretsmanager", region_name=_region())
        with _reading_secret():
            response = client.get_secret_value(SecretId=secret_id)
    except Exception as exc:
        raise SecretLookupError(f"cannot read the TMDB secret {origin}: {_aws_error(exc)}") from None
    text = response.get("SecretString")
    if text is None:
        raise SecretLookupError(f"the TMDB secret {origin} has no string value (binary secrets are not read)")
    return parse_secret_value(str(text), origin)


def from_ssm(name: str, client: Any = None) -> TMDBCredentials:
    origin = f"ssm:{name}"
    if client is None:
        with needs_aws(f"reading the TMDB secret {origin}"):
            import boto3
    try:
        if client is None:
            client = boto3.client("ssm", region_name=_region())
        with _reading_secret():
            response = client.get_parameter(Name=name, WithDecryption=True)
    except Exception as exc:
        raise SecretLookupError(f"cannot read the TMDB secret {origin}: {_aws_error(exc)}") from None
    return parse_secret_value(str(response["Parameter"]["Value"]), origin)


def load_tmdb_credentials(settings: Settings) -> TMDBCredentials:
    """The TMDB credentials from where the settings say (Secrets Manager, SSM, or the environment)."""
    if settings.tmdb_secret_id:
        return from_secrets_manager(settings.tmdb_secret_id)
    if settings.tmdb_ssm_parameter:
        return from_ssm(settings.tmdb_ssm_parameter)
    if settings.has_tmdb_credentials():
        return TMDBCredentials(settings.tmdb_read_access_token, settings.tmdb_api_key, "environment")
    return TMDBCredentials(None, None, "none")


def command_credentials(settings: Settings) -> TMDBCredentials:
    """A command's TMDB credentials: the token or api key given directly (flag, environment, .env)
    wins; else the secret named by ``TMDB_SECRET_ID``, else the parameter named by ``TMDB_SSM_PARAMETER``."""
    if settings.has_tmdb_credentials():
        return TMDBCredentials(settings.tmdb_read_access_token, settings.tmdb_api_key, "environment")
    return load_tmdb_credentials(settings)


def with_tmdb_credentials(settings: Settings) -> Settings:
    """``settings`` with the credential of :func:`command_credentials` filled in (unchanged when there
    is none: the TMDB client then says which variables to set)."""
    return command_credentials(settings).apply(settings)
