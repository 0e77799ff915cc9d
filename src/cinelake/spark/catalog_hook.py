"""Register what a job wrote in the lake's catalog, when the lake has one."""

from __future__ import annotations

from cinelake.lake.layout import Zone
from cinelake.lake.store import Lake

CATALOG_BACKENDS = ("local", "glue", "none")


def update_catalog_if_present(lake: Lake, zone: Zone, backend: str = "local") -> bool:
    """Refresh ``zone``'s tables and partitions in the catalog (``local`` in the lake, or ``glue``).

    False, doing nothing, when the lake has no catalog yet or ``backend`` is ``none``.
    """
    if backend == "none":
        return False
    from cinelake.catalog import update_catalog

    return update_catalog(lake, zone=zone, backend=backend) is not None
