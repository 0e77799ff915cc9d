"""The offline TMDB-compatible server: TMDB v3 paths under /3, served from the packaged snapshot.

    with serve_in_thread(rate_limit=40, latency_ms=150) as base_url:   # http://127.0.0.1:PORT/3
        ...
        fetch_stats(base_url)["peak_per_second"]

Heavy imports (starlette, uvicorn) happen only when a server is built.
"""

from __future__ import annotations

from cinelake.tmdb.server.control import configure, fetch_stats, reset_stats
from cinelake.tmdb.server.options import DEFAULT_FAULT_MIX, FAULT_KINDS, ServerOptions, parse_fault_mix
from cinelake.tmdb.server.run import ServerStartError, serve, serve_in_subprocess, serve_in_thread

__all__ = [
    "DEFAULT_FAULT_MIX",
    "FAULT_KINDS",
    "ServerOptions",
    "ServerStartError",
    "configure",
    "fetch_stats",
    "parse_fault_mix",
    "reset_stats",
    "serve",
    "serve_in_subprocess",
    "serve_in_thread",
]
