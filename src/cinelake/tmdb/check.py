"""``cinelake tmdb check``: do the configured credentials work against the configured TMDB base URL?"""

from __future__ import annotations

import asyncio

from cinelake.config import Settings
from cinelake.errors import ConfigError
from cinelake.tmdb.client import CREDENTIALS_HINT, AuthCheck, TMDBClient


def check(settings: Settings, *, base_url: str | None = None) -> AuthCheck:
    """Ask ``/authentication`` whether the credentials in ``settings`` are accepted.

    A rejection comes back as ``AuthCheck(ok=False, ...)``; no credentials at all raise :class:`ConfigError`
    (exit code 2); an unreachable server raises :class:`cinelake.tmdb.errors.TMDBRequestError`.
    """
    if not settings.has_tmdb_credentials():
        raise ConfigError(f"no TMDB credentials: {CREDENTIALS_HINT} (in the environment or .env)")
    client = TMDBClient.from_settings(
        settings.with_overrides(tmdb_base_url=base_url),
        rate_limit=None,
        max_connections=1,
        max_retries=1,
    )

    async def ask() -> AuthCheck:
        async with client:
            return await client.check_auth()

    return asyncio.run(ask())
