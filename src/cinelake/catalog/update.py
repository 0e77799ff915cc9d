"""The hook jobs call after writing to a zone: refresh that zone in the catalog, if the lake has one."""

from __future__ import annotations

import os

from cinelake.catalog.crawler import DEFAULT_SAMPLE, CrawlSummary, crawl, open_backend
from cinelake.lake.layout import Zone
from cinelake.lake.store import Lake

BACKEND_ENV = "CINELAKE_CATALOG_BACKEND"


def update_catalog(
    lake: Lake,
    *,
    zone: Zone | str | None = None,
    backend: str | None = None,
    database: str | None = None,
    sample: int | None = DEFAULT_SAMPLE,
) -> CrawlSummary | None:
    """Crawl ``zone`` (all zones when None) into the catalog; None, doing nothing, when the lake has
    no catalog yet (nobody ran ``cinelake catalog crawl`` on it).

    ``backend`` defaults to ``$CINELAKE_CATALOG_BACKEND`` or ``local``, so a job running on AWS Glue or
    EMR refreshes the Glue catalog by setting that variable, without a code change.
    """
    catalog = open_backend(lake, backend or os.environ.get(BACKEND_ENV) or "local", database)
    if not catalog.exists():
        return None
    return crawl(lake, zone=zone, backend=catalog, sample=sample)
