"""The Lambda function's configuration: its environment variables, read once per invocation.

These are the defaults an event may leave out (bucket, genres, kind...) and the knobs of the
continuation past Lambda's 15-minute limit. Every variable is documented in docs/aws.md and set by
template.yaml.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AliasChoices, BeforeValidator, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from cinelake.config import get_settings
from cinelake.errors import ConfigError
from cinelake.lake.store import Lake


def split_genres(value: object) -> object:
    """A comma-separated string of genres ("Comedy, Animation") as a tuple of names; else unchanged."""
    if isinstance(value, str):
        return tuple(g.strip() for g in value.split(",") if g.strip())
    return value


class ContinuationMode(StrEnum):
    """How a run that needs more than one invocation goes on."""

    SELF = "self"  # the function invokes itself asynchronously with the run id
    STEPFUNCTIONS = "stepfunctions"  # the function returns "incomplete" and a state machine loops


class FunctionEnvironment(BaseSettings):
    """The function's environment variables (no ``.env`` file: Lambda has none)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    bucket: str | None = Field(default=None, validation_alias=AliasChoices("BUCKET", "bucket"))
    lake: str | None = Field(default=None, validation_alias=AliasChoices("LAKE", "lake"))
    source: str = Field(default="discover", validation_alias=AliasChoices("SOURCE", "source"))
    csv: str | None = Field(default=None, validation_alias=AliasChoices("CSV", "csv"))
    genres: Annotated[tuple[str, ...], NoDecode, BeforeValidator(split_genres)] = Field(
        default=(), validation_alias=AliasChoices("GENRES", "genres")
    )
    kind: str = Field(default="movies", validation_alias=AliasChoices("KIND", "kind"))
    continuation_mode: ContinuationMode = Field(
        default=ContinuationMode.SELF, validation_alias=AliasChoices("CONTINUATION_MODE", "continuation_mode")
    )
    max_chain: int = Field(default=20, ge=1, le=1000, validation_alias=AliasChoices("MAX_CHAIN", "max_chain"))
    safety_margin_seconds: float = Field(
        default=60.0, ge=0, validation_alias=AliasChoices("SAFETY_MARGIN_SECONDS", "safety_margin_seconds")
    )

    @field_validator("continuation_mode", "source", "kind", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def lake_url(self) -> str:
        """``s3://$BUCKET`` (or ``$LAKE`` when set, for a prefix inside a bucket)."""
        if self.lake:
            return self.lake
        if not self.bucket:
            raise ConfigError("the function has no BUCKET (or LAKE) environment variable: set it")
        return f"s3://{self.bucket}"


def load_environment() -> FunctionEnvironment:
    """The environment, or a :class:`ConfigError` naming the variables that are wrong."""
    try:
        return FunctionEnvironment()
    except ValidationError as exc:
        problems = "; ".join(
            f"{str(err['loc'][0]).upper() if err['loc'] else '?'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid function environment: {problems}") from None


def function_lake() -> Lake:
    """The function's lake (:attr:`FunctionEnvironment.lake_url`), through the configured S3 endpoint."""
    return Lake(load_environment().lake_url, s3_endpoint_url=get_settings().s3_endpoint_url)
