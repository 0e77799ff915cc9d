"""The bookkeeping of a TMDB ingestion run: what TMDB's runs record beside the generic run manifest.

The plan and the summary of every run live under ``Raw/TMDB/_runs/<run>/`` (the machinery is the lake's,
:mod:`cinelake.lake.manifest`); a TMDB run adds how an incremental run chose its ids from TMDB's change
lists (:class:`Selection`), the ids whose TMDB id is already known, the ids left out for the day or
until TMDB's next try, and how the ids were looked up.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from cinelake.lake.layout import Origin
from cinelake.lake.manifest import RunBook, RunManifest, RunPlan


class Selection(BaseModel):
    """How an incremental run chose its ids from what the source asked for (frozen with the plan).

    ``windows`` are the change-list date ranges asked (inclusive, at most 14 days each); ``listed`` how
    many distinct ids the lists named, ``in_lake`` how many of those the lake held; ``new`` the asked
    titles no complete earlier run wrote, ``changed`` the lake's asked titles the lists named, and
    ``unchanged`` the lake's asked titles left as they are. A ``full`` run says why in ``reason``.
    """

    mode: Literal["incremental", "full"]
    reason: str
    since_run: str | None = None  # the last complete run of the same source
    since: datetime | None = None  # when that run started
    windows: list[tuple[date, date]] = Field(default_factory=list)
    listed: int = 0
    in_lake: int = 0
    asked: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0


class TmdbRunPlan(RunPlan):
    """A TMDB run's plan: its ids and how they were chosen."""

    # Ids whose TMDB id is already known (an incremental run's changed titles): no look-up needed.
    known: dict[str, int] = Field(default_factory=dict)
    selection: Selection | None = None
    # The source's ids left out because an earlier complete run of the day already handled them, and
    # that run when it read another version of the same CSV (a same-day change of the file).
    held_today: int = 0
    csv_changed_since: str | None = None
    # The source's ids TMDB did not know on an earlier day whose next try is not due yet.
    unknown_waiting: int = 0


class TmdbRunManifest(RunManifest):
    """A TMDB run's summary: the generic one, how its ids were chosen and how they were looked up."""

    selection: Selection | None = None  # an incremental run's choice of ids (see Selection)
    lookup: dict[str, Any] = Field(default_factory=dict)  # how the latest attempt found its ids


class TmdbRunBook(RunBook[TmdbRunPlan, TmdbRunManifest]):
    """The bookkeeping of one TMDB run, under ``Raw/TMDB/_runs/<run>/``."""

    origin = Origin.TMDB
    plan_model = TmdbRunPlan
    manifest_model = TmdbRunManifest
