"""Run the offline server in the foreground (CLI), in a thread (tests) or in a child process (benchmarks)."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

import orjson

from cinelake.errors import CinelakeError
from cinelake.tmdb.server.options import ServerOptions

LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT = 60.0


class ServerStartError(CinelakeError):
    """The offline server did not come up."""


def bind(host: str = LOOPBACK, port: int = 0) -> socket.socket:
    """A listening socket; port 0 picks a free one (no race: the socket stays open for the server)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServerStartError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def base_url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}/3"


def _uvicorn_server(options: ServerOptions, snapshot: Any = None, tv: Any = None) -> Any:
    import uvicorn

    from cinelake.tmdb.server.app import create_app

    config = uvicorn.Config(
        create_app(options, snapshot, tv),
        loop="uvloop",
        http="httptools",
        lifespan="off",
        access_log=False,
        log_level="critical",  # injected resets and truncations are meant to look broken; do not log them
        timeout_graceful_shutdown=2,
        # Longer than any pause a client makes between two requests of a run (Retry-After, backoff), so
        # pooled connections are not closed under it (a race that costs the client a retry).
        timeout_keep_alive=75,
        backlog=2048,
    )
    return uvicorn.Server(config)


def serve(
    host: str = LOOPBACK,
    port: int = 0,
    *,
    on_ready: Callable[[str], None] | None = None,
    **options: Any,
) -> None:
    """Serve in the foreground until interrupted (Ctrl-C / SIGTERM); ``on_ready`` gets the base URL."""
    server_options = ServerOptions(**options)
    sock = bind(host, port)
    server = _uvicorn_server(server_options)
    url = base_url_of(sock)
    if on_ready is not None:
        waiter = threading.Thread(target=_announce, args=(server, url, on_ready), daemon=True)
        waiter.start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def _announce(server: Any, url: str, on_ready: Callable[[str], None]) -> None:
    while not server.started and not server.should_exit:
        time.sleep(0.01)
    if server.started:
        on_ready(url)


@contextmanager
def serve_in_thread(snapshot: Any = None, tv: Any = None, **options: Any) -> Iterator[str]:
    """The server on 127.0.0.1 (free port) in a thread of this process; yields the base URL (…/3).

    ``snapshot`` / ``tv``: data to serve instead of the packaged snapshots (a test's own titles).
    """
    server_options = ServerOptions(**options)
    sock = bind()
    server = _uvicorn_server(server_options, snapshot, tv)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="tmdb-offline", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise ServerStartError("the offline TMDB server did not start")
        time.sleep(0.01)
    try:
        yield base_url_of(sock)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def serve_in_subprocess(**options: Any) -> Iterator[str]:
    """The server in a child Python process (its own GIL), on 127.0.0.1; yields the base URL (…/3)."""
    ServerOptions(**options)  # fail here, not in the child, on a bad option
    command = [sys.executable, "-m", "cinelake.tmdb.server", orjson.dumps(options).decode()]
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - it lives as long as the child, closed below
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=dict(os.environ))
    try:
        url = _read_url(child, errors)
        yield url
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(5)
        if child.stdout is not None:
            child.stdout.close()
        errors.close()


def _read_url(child: subprocess.Popen[bytes], errors: IO[bytes]) -> str:
    assert child.stdout is not None
    deadline = time.monotonic() + STARTUP_TIMEOUT
    line = b""
    while time.monotonic() < deadline and not line.endswith(b"\n"):
        ready, _, _ = select.select([child.stdout], [], [], 0.1)
        if ready:
            chunk = os.read(child.stdout.fileno(), 1)
            if not chunk:
                break
            line += chunk
        elif child.poll() is not None:
            break
    if not line.startswith(b"http"):
        errors.seek(0)
        problem = errors.read().decode(errors="replace")[-2000:]
        raise ServerStartError(f"the offline TMDB server did not start: {problem.strip() or 'no answer'}")
    return line.decode().strip()


def main(argv: list[str] | None = None) -> None:
    """``python -m cinelake.tmdb.server '{"rate_limit": 40}'``: serve on a free loopback port."""
    args = sys.argv[1:] if argv is None else argv
    options = orjson.loads(args[0]) if args else {}

    def ready(url: str) -> None:
        sys.stdout.write(url + "\n")
        sys.stdout.flush()

    serve(on_ready=ready, **options)
