"""The Lambda event: what to ingest, validated, with the function's environment as defaults.

``{"source": "csv", "csv": "s3://bucket/Raw/Local/CSV/Movies/2026/11/26/movies.csv", "kind": "movies",
"date": "2026-11-26"}`` or ``{"source": "discover", "genres": ["Comedy", "Animation"], "kind": "series"}``
(series discover on ``/discover/tv`` by TMDB's TV genres); every field may be left out and then comes
from the environment (SOURCE, CSV, GENRES, KIND) or is today's date (UTC). ``"incremental": true`` (the
daily schedule's input) fetches only the titles new to the lake and those TMDB's change lists name;
absent, it is a full run.

A continued run also carries ``run_id``, ``invocation`` (1 for the first) and ``chain`` (the request id
of the invocation that started the chain). A resolved event is complete: the payload of the next
invocation is exactly it, so the date and every default are fixed by the first invocation.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from cinelake.aws.environment import FunctionEnvironment, split_genres
from cinelake.errors import UsageError
from cinelake.lake import layout

Source = Literal["csv", "discover"]
KindName = Literal["movies", "series"]


class EventError(UsageError):
    """The event cannot be run as it is (bad field, missing CSV, CSV outside the lake)."""


class IngestEvent(BaseModel):
    """The event as sent; absent fields are resolved from the environment by :func:`resolve_event`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Source | None = None
    csv: str | None = Field(None, min_length=1, max_length=1024)
    genres: Annotated[tuple[str, ...] | None, BeforeValidator(split_genres)] = None
    kind: KindName | None = None
    date: dt.date | None = None
    incremental: bool | None = None  # fetch only new titles and those TMDB's change lists name
    release_from: dt.date | None = None  # discover: the release-date window (open when absent)
    release_to: dt.date | None = None
    run_id: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")
    invocation: int = Field(1, ge=1)
    chain: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")

    @field_validator("date", mode="before")
    @classmethod
    def _processing_day(cls, value: Any) -> Any:
        """The commands' rule: ``YYYY-MM-DD`` from 1990-01-01 to tomorrow (UTC)."""
        if isinstance(value, str):
            return layout.processing_day(value, today=dt.datetime.now(dt.UTC).date())
        return value

    @field_validator("genres")
    @classmethod
    def _clean_genres(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        cleaned = tuple(g.strip() for g in value)
        if any(not g or len(g) > 64 for g in cleaned):
            raise ValueError("each genre must be a name of 1 to 64 characters")
        return cleaned


class ResolvedEvent(BaseModel):
    """An event with every default applied: what one invocation runs."""

    model_config = ConfigDict(frozen=True)

    source: Source
    csv: str | None  # lake-relative path of the CSV (source "csv" only)
    genres: tuple[str, ...]
    kind: KindName
    date: dt.date
    incremental: bool = False  # fetch only new titles and those the change lists name
    release_from: dt.date | None = None
    release_to: dt.date | None = None
    run_id: str | None
    invocation: int
    chain: str | None

    def next_invocation(self, run_id: str, chain: str) -> ResolvedEvent:
        """The payload of the invocation that continues this one."""
        return self.model_copy(update={"run_id": run_id, "invocation": self.invocation + 1, "chain": chain})

    def payload(self) -> dict[str, Any]:
        """The JSON-ready event (what the next invocation, or a user resuming by hand, sends)."""
        data = self.model_dump(mode="json")
        data["genres"] = list(self.genres)
        return data


MAX_ERRORS_SHOWN = 5


def _one_line(exc: ValidationError) -> str:
    """The first few problems (an event with thousands of bad fields must not make a megabyte line)."""
    errors = exc.errors()
    parts = []
    for err in errors[:MAX_ERRORS_SHOWN]:
        where = ".".join(str(p) for p in err["loc"])[:80] or "event"
        parts.append(f"{where}: {err['msg']}")
    if len(errors) > MAX_ERRORS_SHOWN:
        parts.append(f"and {len(errors) - MAX_ERRORS_SHOWN} more")
    return "; ".join(parts)


def unwrap_schedule(raw: Any) -> Any:
    """An EventBridge scheduled event without an ``Input`` carries its own envelope: use its ``detail``."""
    if isinstance(raw, dict) and raw.get("source") == "aws.events" and "detail-type" in raw:
        detail = raw.get("detail")
        return detail if isinstance(detail, dict) else {}
    return raw


def _csv_in_lake(csv: str, lake_url: str) -> str:
    """The lake-relative path of ``csv`` (an ``s3://`` URL inside the lake, or already relative)."""
    text = csv.strip()
    if "://" not in text:
        return text.lstrip("/")
    root = lake_url.rstrip("/") + "/"
    if not text.startswith(root):
        raise EventError(f"invalid event: csv {text!r} is not inside the lake {lake_url}")
    return text[len(root) :]


def resolve_event(raw: Any, env: FunctionEnvironment, *, today: dt.date | None = None) -> ResolvedEvent:
    """Validate ``raw`` and fill its gaps from ``env``; an :class:`EventError` says what is wrong."""
    raw = unwrap_schedule(raw)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise EventError(f"invalid event: expected a JSON object, got {type(raw).__name__}")
    try:
        event = IngestEvent.model_validate(raw)
    except ValidationError as exc:
        raise EventError(f"invalid event: {_one_line(exc)}") from None
    defaults: dict[str, Any] = {
        "source": env.source,
        "csv": env.csv,
        "genres": env.genres,
        "kind": env.kind,
    }
    try:
        merged = IngestEvent.model_validate(
            {
                **{k: v for k, v in defaults.items() if v not in (None, ())},
                **event.model_dump(exclude_none=True),
            }
        )
    except ValidationError as exc:
        raise EventError(f"invalid function environment default: {_one_line(exc)}") from None
    source: Source = merged.source or "discover"
    csv = _csv_in_lake(merged.csv, env.lake_url) if merged.csv else None
    if source == "csv" and not csv:
        raise EventError("invalid event: source 'csv' needs a csv (s3://<bucket>/Raw/Local/...) or CSV env")
    if source == "discover" and not merged.genres:
        raise EventError("invalid event: source 'discover' needs genres (a list of names) or the GENRES env")
    return ResolvedEvent(
        source=source,
        csv=csv if source == "csv" else None,
        genres=merged.genres or (),
        kind=merged.kind or "movies",
        date=merged.date or today or dt.datetime.now(dt.UTC).date(),
        incremental=bool(merged.incremental),
        release_from=merged.release_from,
        release_to=merged.release_to,
        run_id=merged.run_id,
        invocation=merged.invocation,
        chain=merged.chain,
    )
