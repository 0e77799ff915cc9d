"""The ASGI layer in front of the /3 routes: statistics, latency, auth, the rate limit and fault injection.

It is plain ASGI (no BaseHTTPMiddleware) so it adds next to nothing to a request, and it can do what a
response object cannot: reset the TCP connection or stop a body half way.
"""

from __future__ import annotations

import asyncio
import hmac
import math
import random
import socket
import struct
import time
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cinelake.tmdb.server import bodies
from cinelake.tmdb.server.options import ServerOptions
from cinelake.tmdb.server.stats import ServerStats

API_PREFIX = "/3/"


class ServerState:
    """The options, the statistics and the random source of one running server."""

    def __init__(self, options: ServerOptions) -> None:
        self.options = options
        self.stats = ServerStats(options.log_size)
        self.random = random.Random(options.seed)
        self._tokens = 0.0
        self._bucket_at: float | None = None

    def configure(self, changes: dict[str, Any]) -> None:
        self.options.update(changes)
        if "rate_limit" in changes:
            self._bucket_at = None  # a new limit starts with a full bucket
        if "seed" in changes:
            self.random = random.Random(self.options.seed)

    def reset_stats(self) -> None:
        self.stats = ServerStats(self.options.log_size)
        self._bucket_at = None

    def admit(self, now: float) -> int | None:
        """None when the rate limit lets this request in, else the Retry-After (whole seconds) to send.

        A token bucket of one second's worth of requests, refilled continuously: a client that keeps to the
        rate is never refused for the jitter of its arrivals, and one that goes faster is, within a second.
        """
        limit = self.options.rate_limit
        if not limit:
            return None
        if self._bucket_at is None:
            self._tokens, self._bucket_at = float(limit), now
        self._tokens = min(float(limit), self._tokens + (now - self._bucket_at) * limit)
        self._bucket_at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - self._tokens) / limit))

    def draw_fault(self) -> str | None:
        options = self.options
        if options.script:
            return options.script.pop(0)
        if options.fault_rate and self.random.random() < options.fault_rate:
            kinds = list(options.fault_mix)
            return self.random.choices(kinds, weights=[options.fault_mix[k] for k in kinds])[0]
        return None

    def authorized(self, scope: Scope) -> bool:
        """A Bearer token or an api_key must be present; with ``options.token`` set it must be that one."""
        credential = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer":
                    credential = token.strip()
                break
        if not credential:
            query = scope.get("query_string", b"")
            if b"api_key=" in query:
                credential = (parse_qs(query.decode("latin-1")).get("api_key") or [""])[0].strip()
        if not credential:
            return False
        expected = self.options.token
        return expected is None or hmac.compare_digest(credential.encode(), expected.encode())


async def send_bytes(
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes = b"application/json;charset=utf-8",
    extra_headers: tuple[tuple[bytes, bytes], ...] = (),
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *extra_headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _transport(send: Send) -> asyncio.Transport | None:
    """The connection's transport behind uvicorn's ``send`` (a bound method of its request cycle)."""
    return getattr(getattr(send, "__self__", None), "transport", None)


class TMDBGate:
    """Wraps the app: everything under /3 passes the gate; the control endpoints do not."""

    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        state = self.state
        stats = state.stats
        options = state.options
        arrived = time.monotonic()
        stats.arrived(arrived)
        status = 0
        fault: str | None = None

        async def tracked(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if options.latency_ms:
                await asyncio.sleep(options.latency_ms / 1000.0)
            if options.sudden_401 or not state.authorized(scope):
                await send_bytes(tracked, 401, bodies.INVALID_API_KEY)
                return
            retry_after = state.admit(time.monotonic())
            if retry_after is not None:
                stats.rate_limited += 1
                await send_bytes(
                    tracked,
                    429,
                    bodies.rate_limited(options.rate_limit or 0),
                    extra_headers=((b"retry-after", str(retry_after).encode()),),
                )
                return
            fault = options.path_faults.get(scope["path"]) or state.draw_fault()
            if fault is None:
                await self.app(scope, receive, tracked)
            else:
                await self._inject(fault, scope, receive, send, tracked)
        finally:
            stats.finished(arrived, scope["method"], scope["path"], status, fault)

    async def _inject(self, fault: str, scope: Scope, receive: Receive, send: Send, tracked: Send) -> None:
        options = self.state.options
        if fault == "429":
            await send_bytes(
                tracked,
                429,
                bodies.rate_limited(options.rate_limit or 40),
                extra_headers=((b"retry-after", str(options.retry_after_s).encode()),),
            )
        elif fault == "429_no_retry_after":
            await send_bytes(tracked, 429, bodies.rate_limited(options.rate_limit or 40))
        elif fault == "500":
            await send_bytes(tracked, 500, bodies.INTERNAL_ERROR)
        elif fault == "502":
            await send_bytes(tracked, 502, bodies.BAD_GATEWAY_HTML, b"text/html")
        elif fault == "503":
            await send_bytes(tracked, 503, bodies.SERVICE_OFFLINE)
        elif fault == "504":
            await send_bytes(tracked, 504, bodies.BACKEND_TIMEOUT)
        elif fault == "not_json":
            await send_bytes(tracked, 200, bodies.NOT_JSON_HTML, b"text/html")
        elif fault == "reset":
            self._reset(send)
        elif fault == "hang":
            await self._hang(receive, options.hang_s)
        elif fault == "truncated":
            await self._truncated(scope, receive, send, tracked)
        else:  # pragma: no cover - ServerOptions.validate() rejects unknown kinds
            raise ValueError(fault)

    @staticmethod
    def _reset(send: Send) -> None:
        transport = _transport(send)
        if transport is None:
            raise ConnectionResetError("cannot reset this connection")
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # Linger 0: close() sends a RST instead of a FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()

    @staticmethod
    async def _hang(receive: Receive, seconds: float) -> None:
        """Say nothing until ``seconds`` pass or the client gives up (then the request ends quietly)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = await asyncio.wait_for(receive(), timeout=left)
            except TimeoutError:
                break
            if message["type"] == "http.disconnect":
                return

    async def _truncated(self, scope: Scope, receive: Receive, send: Send, tracked: Send) -> None:
        """The real response, cut in half after the headers promised all of it; then the connection closes."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        assert start is not None
        await tracked(start)
        await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
        transport = _transport(send)
        if transport is not None:
            transport.close()
