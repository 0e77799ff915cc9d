"""The lease a transformation job holds on the zone it writes (``<Zone>/_locks/<job>.lock``).

Both engines take the same lease, so a DuckDB run and a Spark run of one job never overlap. The
DuckDB engine holds it on S3 too: it runs on one machine, where nothing else keeps two runs apart
(the Spark jobs on Glue rely on Glue's one-run-at-a-time instead: see
:func:`cinelake.spark.lakeio.exclusive`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Zone
from cinelake.lake.lock import held
from cinelake.lake.store import Lake


@contextmanager
def exclusive(lake: Lake, zone: Zone, job: str) -> Iterator[None]:
    """Run ``job`` alone on ``zone``: a second run at the same time is refused with one line.

    A lake URL that leads nowhere is refused first, so a typo creates no lake of its own.
    """
    if not lake.is_there(zone.value):
        raise UsageError(f"no lake at {lake.url}: check --lake (or CINELAKE_LAKE)")
    with held(lake, job, path=layout.zone_lock_file(zone, job)):
        yield
