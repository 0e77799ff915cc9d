"""The client's HTTP transport: httpx's own, with a cheaper "is this idle connection still usable?" check.

httpcore's connection pool asks every pooled connection whether its socket is readable (a closed keep-alive
connection) each time it hands out or takes back a connection, so with 20 connections that check runs about
40 times per request. The stock anyio stream answers it by rebuilding a dict of socket attributes, with a
``getpeername`` system call, every time: a good share of the client's CPU per request. The network backend
here wraps httpcore's public ``AnyIOBackend`` and answers the check from the socket it keeps from the start.
"""

from __future__ import annotations

import select
import socket
import ssl
import urllib.request
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]


def _is_readable(sock: socket.socket | None) -> bool:
    """True when data or EOF waits on the socket (for an idle keep-alive connection: the peer closed it)."""
    if sock is None:
        return True
    fd = sock.fileno()
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class _Stream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return _is_readable(self._socket)
        return self._inner.get_extra_info(info)


class LeanNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore's AnyIOBackend, with streams that answer ``is_readable`` without rebuilding attributes."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def lean_transport(limits: httpx.Limits) -> httpx.AsyncHTTPTransport | None:
    """httpx's standard transport (TLS, HTTP/1.1) with the lean backend; None when a proxy is configured.

    An explicit transport would make httpx ignore HTTP(S)_PROXY, so with a proxy in the environment the
    client keeps httpx's default. httpx does not take a network backend as an argument, so it is set on the
    transport's pool; should a future httpx lay its pool out differently, the transport stays as it is
    (correct, only slower).
    """
    if urllib.request.getproxies():
        return None
    transport = httpx.AsyncHTTPTransport(limits=limits)
    pool = getattr(transport, "_pool", None)
    if isinstance(pool, httpcore.AsyncConnectionPool) and hasattr(pool, "_network_backend"):
        pool._network_backend = LeanNetworkBackend()
    return transport
