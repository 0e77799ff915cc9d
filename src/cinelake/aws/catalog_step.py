"""The daily pipeline's catalog step: cinelake's own crawler writing the Glue Data Catalog.

``cinelake.aws.catalog_step.handler`` with ``{"zones": ["Raw"]}`` (after the ingestion) runs what
``cinelake catalog crawl --backend glue --zone Raw`` runs, into the database
``CINELAKE_CATALOG_DATABASE``: the same table names (``raw_tmdb_movies``...), columns and partitions
as a local catalog, so the Athena queries of docs/catalog.md run unchanged. It is the only writer of
the Raw tables there; the Trusted and Refined tables are Iceberg tables the transforms commit to Glue
themselves, so the state machine crawls Raw alone (the step still takes any zone, for a lake whose
tables predate Iceberg). The crawl is incremental: a partition whose files did not change is not
read again, so a rerun of the day changes nothing.
"""

from __future__ import annotations

from typing import Any

from cinelake.aws.environment import function_lake
from cinelake.aws.steps import run_step
from cinelake.catalog.crawler import crawl, parse_zone
from cinelake.config import get_settings
from cinelake.errors import UsageError


def update(event: Any) -> dict[str, Any]:
    """Crawl the zones the event names into the Glue database; what changed, per zone."""
    zones = event.get("zones") if isinstance(event, dict) else None
    if not isinstance(zones, list) or not zones or not all(isinstance(z, str) for z in zones):
        raise UsageError(
            'invalid catalog step input: expected {"zones": ["Raw" | "Trusted" | "Refined", ...]}'
        )
    settings = get_settings()
    lake = function_lake()
    answer: dict[str, Any] = {"database": settings.catalog_database, "zones": {}}
    for name in zones:
        (zone,) = parse_zone(name)
        summary = crawl(lake, zone=zone, backend="glue", database=settings.catalog_database)
        answer["zones"][zone.value] = {
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "partitions_added": summary.partitions_added,
            "partitions_updated": summary.partitions_updated,
            "files_read": summary.files_read,
        }
    return answer


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda entry point (see the module documentation)."""
    return run_step("catalog", lambda: update(event))
