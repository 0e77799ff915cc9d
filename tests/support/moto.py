"""moto in server mode on 127.0.0.1, for S3 / Glue / Secrets Manager / SSM / Athena tests."""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

_S3_WRITES = threading.Lock()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _one_at_a_time(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def serialised(*args: Any, **kwargs: Any) -> Any:
        with _S3_WRITES:
            return method(*args, **kwargs)

    serialised.__dict__["cinelake_serialised"] = True
    return serialised


def atomic_conditional_writes() -> None:
    """Make moto's S3 writes and deletes atomic with their ``If-Match`` / ``If-None-Match`` checks.

    moto's server answers each request in its own thread, and its PutObject and DeleteObject check a
    precondition, then write, with nothing between the two: two PUTs with ``If-Match`` on the same
    ETag could both succeed, which S3 never allows (it is what makes S3's conditional writes a
    compare-and-swap). Seen as two holders of one expired lock in ``tests/lake/test_lock.py`` on a
    loaded machine. Each write and delete now runs alone, as each does on S3 for one key."""
    from moto.s3.responses import S3Response

    for name in ("put_object", "delete_object"):
        method = getattr(S3Response, name)
        if not method.__dict__.get("cinelake_serialised"):
            setattr(S3Response, name, _one_at_a_time(method))


@contextlib.contextmanager
def running_moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    atomic_conditional_writes()
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
