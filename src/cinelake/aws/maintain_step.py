"""The daily pipeline's weekly upkeep of the Trusted and Refined Iceberg tables.

``cinelake.aws.maintain_step.handler`` with ``{"date": "YYYY-MM-DD", "older_than_days": N}`` runs what
``cinelake tables maintain --older-than-days N`` runs, on the lake ``s3://$BUCKET`` and its tables in
the Glue database ``CINELAKE_CATALOG_DATABASE``: every table's snapshots committed more than N days
ago expire (never its current one), then the files of its folder that no remaining snapshot
references and that are older than that are deleted. ``date`` is checked and echoed so the execution
shows which day ran it.

The state machine calls it once a week (its ``Maintain?`` state compares the plan's weekday with the
stack's ``MaintenanceDay``), after the day's transforms and catalog step: the one writer of the
tables that day has finished, so nothing is committing while snapshots expire.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from cinelake.aws.environment import function_lake
from cinelake.aws.steps import run_step
from cinelake.errors import UsageError

log = logging.getLogger("cinelake.aws.step")

USAGE = 'expected {"date": "YYYY-MM-DD", "older_than_days": N}'


def _event(event: Any) -> tuple[dt.date | None, int]:
    if not isinstance(event, dict):
        raise UsageError(f"invalid maintain step input: {USAGE}")
    text = event.get("date")
    try:
        day = dt.date.fromisoformat(str(text)) if text is not None else None
    except ValueError:
        raise UsageError(f"invalid maintain step input: date {text!r} is not YYYY-MM-DD") from None
    # The state machine's substitutions are text: "7" and 7 both mean seven days.
    given = event.get("older_than_days", 7)
    try:
        days = int(str(given))
    except ValueError:
        raise UsageError(f"invalid maintain step input: older_than_days {given!r}; {USAGE}") from None
    return day, days


def run_maintenance(event: Any) -> dict[str, Any]:
    """Expire old snapshots and delete unreferenced files of every table; what was done, per table."""
    from cinelake.tables.maintain import maintain

    day, days = _event(event)
    lake = function_lake()
    done = maintain(lake, older_than_days=days, progress=log.info)
    return {
        "date": day.isoformat() if day else None,
        "older_than_days": days,
        "tables": {d.table: {"expired": d.expired, "deleted": d.deleted} for d in done},
        "expired": sum(d.expired for d in done),
        "deleted": sum(d.deleted for d in done),
    }


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda entry point (see the module documentation)."""
    return run_step("maintain", lambda: run_maintenance(event))
