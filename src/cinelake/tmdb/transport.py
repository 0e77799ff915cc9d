"""The client's ``httpx.AsyncClient``, made lean for many small JSON requests.

Transport: aiohttp's connection pool (httpx-aiohttp).

The client keeps httpx's API (requests, responses, timeouts, exceptions), but httpx's own pool (httpcore on
anyio) costs about 0.8 ms of CPU per request on a small machine and grows with the number of connections;
aiohttp's C-accelerated HTTP/1.1 pool, plugged in through httpx-aiohttp's transport, costs well under half
of that. Measured with bench/tmdb_client.py.

With a proxy configured in the environment (HTTP_PROXY, HTTPS_PROXY...) the client keeps httpx's default
transport, which honours those variables.

Cookies: TMDB's API sets none, yet httpx parses every response for them through http.cookiejar (building
an email.message and a urllib request each time): about a sixth of the client's CPU per request. The
client's cookie jar here stays empty and skips that parsing.
"""

from __future__ import annotations

import urllib.request
from typing import Any

import httpx


def make_transport(limits: httpx.Limits) -> httpx.AsyncBaseTransport | None:
    """aiohttp's pool sized by ``limits``; None (httpx's default transport) when a proxy must be used."""
    if urllib.request.getproxies():
        return None
    try:
        from httpx_aiohttp import AiohttpTransport
    except ImportError:  # pragma: no cover - a trimmed install without the optional speed-up
        return None
    transport: httpx.AsyncBaseTransport = AiohttpTransport(limits=limits)
    return transport


class _NoCookies(httpx.Cookies):
    """A cookie jar that never takes cookies from responses."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class LeanAsyncClient(httpx.AsyncClient):
    """``httpx.AsyncClient`` without response-cookie handling (see the module notes)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._no_cookies = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._no_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        raise TypeError("this client keeps no cookies")
