"""The hook jobs call after writing to a zone: refresh that zone in the catalog, if the lake has one."""

from __future__ import annotations

from cinelake.catalog.crawler import DEFAULT_SAMPLE, CrawlSummary, crawl, open_backend
from cinelake.lake.layout import Zone
from cinelake.lake.store import Lake


def update_catalog(
    lake: Lake,
    *,
    zone: Zone | str | None = None,
    backend: str = "local",
    database: str | None = None,
    sample: int | None = DEFAULT_SAMPLE,
) -> CrawlSummary | None:
    """Crawl ``zone`` (all zones when None) into the catalog; None, doing nothing, when the lake has
    no catalog yet (nobody ran ``cinelake catalog crawl`` on it)."""
    catalog = open_backend(lake, backend, database)
    if not catalog.exists():
        return None
    return crawl(lake, zone=zone, backend=catalog, sample=sample)
