"""Settings from the environment, a ``.env`` file, or flags.

Secrets are ``SecretStr`` so they never show up in a repr, a log line or an error message.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cinelake.errors import ConfigError

DEFAULT_TMDB_BASE_URL = "https://api.themoviedb.org/3"


class Settings(BaseSettings):
    """Everything cinelake can be configured with. Flags override these per command."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    lake: str = Field("./lake", validation_alias=AliasChoices("CINELAKE_LAKE", "lake"))
    tmdb_read_access_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("TMDB_READ_ACCESS_TOKEN", "tmdb_read_access_token")
    )
    tmdb_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("TMDB_API_KEY", "tmdb_api_key")
    )
    tmdb_base_url: str = Field(
        DEFAULT_TMDB_BASE_URL, validation_alias=AliasChoices("TMDB_BASE_URL", "tmdb_base_url")
    )
    # Requests per second the client allows itself; 0 turns the client-side limit off (offline server).
    tmdb_rate_limit: float = Field(
        40.0, ge=0, validation_alias=AliasChoices("CINELAKE_TMDB_RATE_LIMIT", "tmdb_rate_limit")
    )
    tmdb_max_connections: int = Field(
        20, ge=1, le=20, validation_alias=AliasChoices("CINELAKE_TMDB_CONCURRENCY", "tmdb_max_connections")
    )
    tmdb_timeout: float = Field(
        10.0, gt=0, validation_alias=AliasChoices("CINELAKE_TMDB_TIMEOUT", "tmdb_timeout")
    )
    tmdb_max_retries: int = Field(
        6, ge=0, validation_alias=AliasChoices("CINELAKE_TMDB_MAX_RETRIES", "tmdb_max_retries")
    )
    # Where the Lambda (or anyone) finds the TMDB secret when it is not in the environment.
    tmdb_secret_id: str | None = Field(
        None, validation_alias=AliasChoices("TMDB_SECRET_ID", "tmdb_secret_id")
    )
    tmdb_ssm_parameter: str | None = Field(
        None, validation_alias=AliasChoices("TMDB_SSM_PARAMETER", "tmdb_ssm_parameter")
    )
    s3_endpoint_url: str | None = Field(
        None, validation_alias=AliasChoices("CINELAKE_S3_ENDPOINT_URL", "s3_endpoint_url")
    )
    catalog_database: str = Field(
        "cinelake", validation_alias=AliasChoices("CINELAKE_CATALOG_DATABASE", "catalog_database")
    )
    # The stack's workgroup (its AthenaWorkGroup output); Athena's own "primary" when unset.
    athena_workgroup: str | None = Field(
        None, validation_alias=AliasChoices("CINELAKE_ATHENA_WORKGROUP", "athena_workgroup")
    )

    @field_validator("tmdb_base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        """HTTPS, or plain HTTP to this very machine only: the token travels in every request's headers."""
        value = value.rstrip("/")
        url = urlsplit(value)
        host = url.hostname or ""
        if (url.scheme == "https" and host) or (url.scheme == "http" and is_loopback(host)):
            return value
        raise ValueError(
            f"expected an https:// URL (plain http:// only to 127.0.0.1, ::1 or localhost, "
            f"which the credentials never leave), got {value!r}"
        )

    def has_tmdb_credentials(self) -> bool:
        return bool(self.tmdb_read_access_token or self.tmdb_api_key)

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the non-None overrides applied (how flags win over the environment), validated."""
        changes = {k: v for k, v in overrides.items() if v is not None}
        if not changes:
            return self
        try:
            return type(self).model_validate({**self.model_dump(), **changes})
        except ValidationError as exc:
            raise _config_error(exc) from None


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine: localhost, 127.0.0.0/8 or ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings from the environment and ``.env``; a bad value is a one-line ConfigError."""
    try:
        return Settings()
    except ValidationError as exc:
        raise _config_error(exc) from None


def _config_error(exc: ValidationError) -> ConfigError:
    """The first problem of a settings validation, as one line."""
    first = exc.errors()[0]
    name = ".".join(str(part) for part in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    return ConfigError(f"invalid setting {name}: {message}")
