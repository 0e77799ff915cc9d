"""Register what a job wrote in the lake's catalog, when the lake has one.

The catalog layer is optional for the Spark jobs: the hook looks the update function up at run time
and does nothing when the catalog module does not provide it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from cinelake.lake.layout import Zone
from cinelake.lake.store import Lake

UPDATE_FUNCTION = "update_catalog"


def _updater() -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("cinelake.catalog")
    except ImportError:
        return None
    function = getattr(module, UPDATE_FUNCTION, None)
    return function if callable(function) else None


def update_catalog_if_present(lake: Lake, zone: Zone) -> bool:
    """Update the catalog's tables and partitions of ``zone``; False when there is no catalog function.

    The catalog function itself does nothing when the lake has no catalog yet.
    """
    update = _updater()
    if update is None:
        return False
    outcome = update(lake, zone=zone.value)
    return outcome is not None and outcome is not False
