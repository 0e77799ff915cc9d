"""Run the dashboard with uvicorn on a socket bound here, so the printed URL names the real port (also
with ``port=0``, a free one) before the first request is served."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cinelake.lake.store import Lake
from cinelake.tmdb.server.run import bind
from cinelake.views.dashboard.app import create_app

LOCAL_HOST = "127.0.0.1"


def serve(
    lake: Lake,
    *,
    host: str = LOCAL_HOST,
    port: int = 8050,
    engine: str = "duckdb",
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the dashboard over ``lake`` until interrupted (Ctrl+C); ``announce`` gets its URL."""
    serve_asgi(create_app(lake, engine=engine), host=host, port=port, announce=announce)


def serve_asgi(
    app: Any, *, host: str = LOCAL_HOST, port: int = 8050, announce: Callable[[str], None] = print
) -> None:
    """Serve the ASGI ``app`` on ``host:port`` until interrupted; ``announce`` gets its URL first."""
    import uvicorn

    sock = bind(host, port)  # the offline TMDB server's: a port in use is one line
    bound, chosen = sock.getsockname()[:2]
    announce(f"http://{f'[{bound}]' if ':' in bound else bound}:{chosen}/")
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
