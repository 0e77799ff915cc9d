"""The daily pipeline's first step: the day's ingestion events, one per configured source and kind.

``cinelake.aws.plan_step.handler`` turns the state machine's input (``{}`` from the schedule, or
``{"date": "2026-11-26"}`` to run a given day again) and the function's environment into the list of
ingestion events the state machine's Map hands, one by one, to the ingestion loop:

* ``SOURCES`` (``csv,discover``) and ``KINDS`` (``movies,series``) say what to ingest;
* ``CSV`` is a lake key (``Raw/Local/CSV/Movies/2026/11/26/movies.csv``) or a prefix (default
  ``Raw/Local/CSV/``): under a prefix, each kind takes its newest CSV uploaded with
  ``cinelake ingest local`` on or before the day;
* ``GENRES``, ``DISCOVER_FROM`` / ``DISCOVER_TO`` (optional release dates) shape a discover.

Each event is checked as the ingestion would check it (:func:`resolve_event` and the job's own
request validation). A pair the ingestion cannot run (no CSV uploaded for series yet, or a discover of
a kind the job does not list) is *skipped* with its one-line reason in the answer, so a stack
configured for more than the job does today still runs what it can, and runs the rest as soon as the
job accepts it. Any other field of the input (``incremental``...) is carried into every event.
The answer names the day's weekday too, for the state machine's weekly steps.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cinelake.aws.environment import load_environment
from cinelake.aws.events import EventError, KindName, Source, resolve_event, unwrap_schedule
from cinelake.aws.lambda_handler import build_request
from cinelake.aws.steps import run_step
from cinelake.config import get_settings
from cinelake.errors import ConfigError, UsageError
from cinelake.lake import layout
from cinelake.lake.store import Lake

SOURCES: tuple[Source, ...] = ("csv", "discover")
KINDS: tuple[KindName, ...] = ("movies", "series")
DEFAULT_CSV_PREFIX = "Raw/Local/CSV/"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DATED_CSV = re.compile(r"(?:^|/)(\d{4}/\d{2}/\d{2})/[^/]+\.csv$", re.IGNORECASE)


class PlanEnvironment(BaseSettings):
    """What the stack's parameters set for the plan (read from the environment)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    sources: str = Field(default="csv,discover", validation_alias=AliasChoices("SOURCES", "sources"))
    kinds: str = Field(default="movies,series", validation_alias=AliasChoices("KINDS", "kinds"))
    csv: str = Field(default=DEFAULT_CSV_PREFIX, validation_alias=AliasChoices("CSV", "csv"))
    discover_from: str = Field(default="", validation_alias=AliasChoices("DISCOVER_FROM", "discover_from"))
    discover_to: str = Field(default="", validation_alias=AliasChoices("DISCOVER_TO", "discover_to"))

    @field_validator("sources", "kinds", "csv", "discover_from", "discover_to", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


def _names(text: str, known: tuple[str, ...], what: str) -> list[str]:
    names = list(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ConfigError(
            f"invalid {what.upper()} {text!r}: use a comma-separated list of {', '.join(known)}"
        )
    return names


def _date(text: str, what: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"invalid {what} {text!r}: expected YYYY-MM-DD or nothing") from None


def newest_csv(lake: Lake, prefix: str, kind: KindName, day: dt.date) -> str | None:
    """The newest ``Raw/Local/CSV/<Kind>/YYYY/MM/DD/*.csv`` under ``prefix`` dated on or before ``day``."""
    spec = layout.Kind.MOVIES.value if kind == "movies" else layout.Kind.SERIES.value
    folder = f"{prefix.rstrip('/')}/{spec}" if prefix.strip("/") else spec
    found: list[tuple[str, str]] = []
    for path in lake.list_files(folder):
        match = _DATED_CSV.search(path)
        if match and match[1].replace("/", "-") <= day.isoformat():
            found.append((match[1], path))
    return max(found)[1] if found else None


def csv_for(lake: Lake, csv: str, kind: KindName, day: dt.date) -> str | None:
    """The CSV a kind ingests: the configured key itself, or the newest one under the prefix."""
    if csv.lower().endswith(".csv"):
        spec = layout.Kind.MOVIES.value if kind == "movies" else layout.Kind.SERIES.value
        other = layout.Kind.SERIES.value if kind == "movies" else layout.Kind.MOVIES.value
        # A key inside a Raw/Local/CSV/<Kind>/ folder belongs to that kind only.
        if f"/{other}/" in f"/{csv}" and f"/{spec}/" not in f"/{csv}":
            return None
        return csv
    return newest_csv(lake, csv, kind, day)


def plan(raw: Any, *, today: dt.date | None = None) -> dict[str, Any]:
    """The day's ingestion events and the skipped pairs (see the module documentation)."""
    env = load_environment()
    try:
        settings = PlanEnvironment()
    except ValidationError as exc:
        raise ConfigError(f"invalid plan environment: {exc.errors()[0]['msg']}") from None
    given = unwrap_schedule(raw) or {}
    if not isinstance(given, dict):
        raise EventError(f"invalid input: expected a JSON object, got {type(given).__name__}")
    current = today or dt.datetime.now(dt.UTC).date()
    try:
        day = layout.processing_day(str(given["date"]), today=current) if given.get("date") else None
    except ValueError as exc:
        raise EventError(f"invalid input: date {given['date']!r}: {exc}") from None
    day = day or current
    carried = {k: v for k, v in given.items() if k != "date"}
    lake = Lake(env.lake_url, s3_endpoint_url=get_settings().s3_endpoint_url)
    window = {
        "release_from": _date(settings.discover_from, "DISCOVER_FROM"),
        "release_to": _date(settings.discover_to, "DISCOVER_TO"),
    }
    ingestions: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    kinds = cast(list[KindName], _names(settings.kinds, KINDS, "kinds"))
    sources = _names(settings.sources, SOURCES, "sources")
    for kind in kinds:
        for source in sources:
            event: dict[str, Any] = {**carried, "source": source, "kind": kind, "date": day.isoformat()}
            if source == "csv":
                csv = csv_for(lake, settings.csv, kind, day)
                if csv is None:
                    skipped.append(
                        {"source": source, "kind": kind, "reason": f"no {kind} CSV under {settings.csv}"}
                    )
                    continue
                event["csv"] = csv
            else:
                event.update({k: v.isoformat() for k, v in window.items() if v})
            resolved = resolve_event(event, env)  # a bad input or environment fails the plan
            try:
                build_request(resolved, lake)  # what the job itself refuses is skipped, with why
            except UsageError as exc:
                skipped.append({"source": source, "kind": kind, "reason": str(exc)})
                continue
            ingestions.append({**carried, **resolved.payload()})
    # The weekday (in English, as the template's MaintenanceDay) lets the state machine run its
    # weekly steps on one day: Step Functions has no date arithmetic of its own.
    return {
        "date": day.isoformat(),
        "weekday": WEEKDAYS[day.weekday()],
        "ingestions": ingestions,
        "skipped": skipped,
    }


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda entry point: the plan, or a raised one-line error (see :mod:`cinelake.aws.steps`)."""
    return run_step("plan", lambda: plan(event))
