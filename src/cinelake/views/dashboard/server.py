"""Run the dashboard with uvicorn on a socket bound here, so the printed URL names the real port (also
with ``port=0``, a free one) before the first request is served."""

from __future__ import annotations

import socket
from collections.abc import Callable

from cinelake.errors import UsageError
from cinelake.lake.store import Lake
from cinelake.views.dashboard.app import create_app

LOCAL_HOST = "127.0.0.1"


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port``; a port in use is a one-line :class:`UsageError`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(
    lake: Lake | str,
    *,
    host: str = LOCAL_HOST,
    port: int = 8050,
    engine: str = "duckdb",
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the dashboard over ``lake`` until interrupted (Ctrl+C); ``announce`` gets its URL."""
    import uvicorn

    app = create_app(lake, engine=engine)
    sock = bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    announce(f"http://{shown}:{sock.getsockname()[1]}/")
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
