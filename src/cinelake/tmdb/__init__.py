"""TMDB: the async API client, its errors, and the offline TMDB-compatible server with its snapshot.

The names below load on first use, so importing ``cinelake.tmdb.errors`` does not pull in httpx.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cinelake.tmdb.client import AuthCheck, ClientStats, FindResult, TMDBClient
    from cinelake.tmdb.errors import (
        TMDBAuthError,
        TMDBError,
        TMDBNotFound,
        TMDBRequestError,
        TMDBResponseError,
    )

_EXPORTS = {
    "TMDBClient": "cinelake.tmdb.client",
    "FindResult": "cinelake.tmdb.client",
    "AuthCheck": "cinelake.tmdb.client",
    "ClientStats": "cinelake.tmdb.client",
    "TMDBError": "cinelake.tmdb.errors",
    "TMDBAuthError": "cinelake.tmdb.errors",
    "TMDBNotFound": "cinelake.tmdb.errors",
    "TMDBRequestError": "cinelake.tmdb.errors",
    "TMDBResponseError": "cinelake.tmdb.errors",
}

__all__ = [
    "AuthCheck",
    "ClientStats",
    "FindResult",
    "TMDBAuthError",
    "TMDBClient",
    "TMDBError",
    "TMDBNotFound",
    "TMDBRequestError",
    "TMDBResponseError",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cinelake.tmdb' has no attribute {name!r}")
    return getattr(import_module(module), name)
