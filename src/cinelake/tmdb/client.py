"""The async TMDB v3 client: one connection pool, a rate limit, retries that honour Retry-After.

    async with TMDBClient.from_settings(settings) as client:
        found = await client.find_by_imdb("tt0114709")
        movie = await client.movie_details(found.movie_ids[0], append=("credits", "keywords"))

The same client talks to api.themoviedb.org, to the offline server (``cinelake tmdb serve``) or to any test
server: only ``base_url`` differs. The secret never appears in a log record or an exception message.

Every answer is bounded: the body is streamed and refused past :data:`MAX_BODY_BYTES` (at once when its
``Content-Length`` says more), each attempt has an overall deadline besides httpx's per-read timeout (a
server that drips a byte at a time costs one deadline, then a retry), the bodies turned into ids are
validated (:mod:`cinelake.tmdb.bodies`), upstream text in a message is cut (:func:`cinelake.errors.clip_text`)
and a listing reads no page past TMDB's 500.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx
import orjson
from pydantic import SecretStr

from cinelake.config import DEFAULT_TMDB_BASE_URL
from cinelake.errors import ConfigError, clip_text
from cinelake.tmdb.bodies import MAX_PAGES, FindBody, GenreList, ListPage, read_body
from cinelake.tmdb.errors import (
    AUTH_CODES,
    NOT_FOUND_CODES,
    ErrorBody,
    TMDBAuthError,
    TMDBNotFound,
    TMDBRequestError,
    TMDBResponseError,
)
from cinelake.tmdb.ratelimit import RateLimiter
from cinelake.tmdb.redact import redact, register_secret, unregister_secret
from cinelake.tmdb.transport import LeanAsyncClient, make_transport

if TYPE_CHECKING:
    from cinelake.config import Settings

log = logging.getLogger(__name__)

DEFAULT_APPEND = ("credits", "keywords", "external_ids", "release_dates")
MAX_CONNECTIONS = 20
IMDB_ID = re.compile(r"tt\d{1,12}")
# A server asking for a longer pause than this is not worth waiting for inside one run.
MAX_RETRY_AFTER = 300.0
CREDENTIALS_HINT = "set TMDB_READ_ACCESS_TOKEN (preferred) or TMDB_API_KEY"
# TMDB's largest detail body (a long-running series with every append) is well under 2 MB: a body five times
# that is not an answer worth holding in memory (a 1 GB Lambda runs many requests at once).
MAX_BODY_BYTES = 10 * 1024 * 1024
# The overall deadline of one attempt, in read timeouts: time for a slow but steady answer, not a drip.
DEADLINE_TIMEOUTS = 3.0


@dataclass
class ClientStats:
    """What the client did, for run reports. ``requests`` counts every attempt, retries included."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0
    not_found: int = 0
    failures: int = 0
    by_status: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FindResult:
    """The TMDB ids ``/find/{external_id}`` resolved an external id to."""

    movie_ids: list[int]
    tv_ids: list[int]

    @property
    def found(self) -> bool:
        return bool(self.movie_ids or self.tv_ids)


@dataclass(frozen=True)
class AuthCheck:
    """The answer of ``/authentication``: whether the credentials work, and TMDB's words for it."""

    ok: bool
    status: int
    tmdb_code: int | None
    message: str
    base_url: str
    auth_method: str


class _Retry(Exception):
    """One attempt failed in a way worth another try (internal to the retry loop)."""

    def __init__(
        self, reason: str, retry_after: float | None = None, status: int | None = None, bad_body: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status
        self.bad_body = bad_body


def _secret_value(value: str | SecretStr | None) -> str | None:
    if value is None:
        return None
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    return raw.strip() or None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from ``Retry-After`` (delta-seconds or an HTTP date); None when absent or invalid."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds)


class TMDBClient:
    """An async TMDB v3 client. Use it as an async context manager (one pool for the whole run)."""

    def __init__(
        self,
        base_url: str = DEFAULT_TMDB_BASE_URL,
        read_access_token: str | SecretStr | None = None,
        api_key: str | SecretStr | None = None,
        *,
        rate_limit: float | None = 40.0,
        max_connections: int = MAX_CONNECTIONS,
        timeout: float = 10.0,
        max_retries: int = 6,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        seed: int | None = None,
        deadline: float | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self._token = _secret_value(read_access_token)
        self._api_key = _secret_value(api_key)
        if not (self._token or self._api_key):
            raise ConfigError(f"no TMDB credentials: {CREDENTIALS_HINT}")
        if not 1 <= max_connections <= MAX_CONNECTIONS:
            raise ConfigError(
                f"max_connections must be between 1 and {MAX_CONNECTIONS}, got {max_connections}"
            )
        if max_retries < 0:
            raise ConfigError("max_retries must be 0 or more")
        self.base_url = base_url.rstrip("/")
        self.max_connections = max_connections
        self.timeout = timeout
        # One attempt, from sending the request to the body's last byte (``timeout`` bounds each read).
        self.deadline = deadline if deadline is not None else DEADLINE_TIMEOUTS * timeout
        if self.deadline <= 0:
            raise ConfigError("the deadline of a TMDB request must be positive")
        self.max_body_bytes = max_body_bytes
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.stats = ClientStats()
        self._limiter = RateLimiter(rate_limit) if rate_limit else None
        self._slots: asyncio.Semaphore | None = None
        self._random = random.Random(seed)
        self._resume_at = 0.0
        self._http: httpx.AsyncClient | None = None
        self._secrets = tuple(s for s in (self._token, self._api_key) if s)
        # Whole URLs are built here (one parse in httpx instead of three merges per request).
        self._prefix = self.base_url + "/"
        self._query: dict[str, str] = {"api_key": self._api_key} if self._api_key and not self._token else {}
        self._query_string = urlencode(self._query)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> TMDBClient:
        """A client configured from :class:`cinelake.config.Settings` (env / .env / flags)."""
        options: dict[str, Any] = {
            "base_url": settings.tmdb_base_url,
            "read_access_token": settings.tmdb_read_access_token,
            "api_key": settings.tmdb_api_key,
            "rate_limit": settings.tmdb_rate_limit,
            "max_connections": settings.tmdb_max_connections,
            "timeout": settings.tmdb_timeout,
            "max_retries": settings.tmdb_max_retries,
        }
        options.update(overrides)
        return cls(**options)

    @property
    def auth_method(self) -> str:
        return "bearer" if self._token else "api_key"

    @property
    def rate_limit(self) -> float | None:
        return self._limiter.rate if self._limiter else None

    # -- life cycle ------------------------------------------------------------------------------------------

    async def __aenter__(self) -> TMDBClient:
        await self.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def open(self) -> None:
        if self._http is not None:
            return
        for secret in self._secrets:
            register_secret(secret)
        headers = {"Accept": "application/json", "User-Agent": "cinelake"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        size = self.max_connections
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        self._http = LeanAsyncClient(
            headers=headers,
            limits=limits,
            transport=make_transport(limits),
            # The semaphore below queues the callers, so waiting for a pooled connection never times out.
            timeout=httpx.Timeout(self.timeout, pool=None),
        )
        self._slots = asyncio.Semaphore(self.max_connections)

    async def aclose(self) -> None:
        if self._http is None:
            return
        try:
            await self._http.aclose()
        finally:
            self._http = None
            for secret in self._secrets:
                unregister_secret(secret)

    # -- the endpoints ---------------------------------------------------------------------------------------

    async def find_by_imdb(self, imdb_id: str) -> FindResult:
        """``/find/{imdb_id}?external_source=imdb_id``: the movie and series ids TMDB has for an IMDB id."""
        path = f"find/{imdb_id}"
        found = read_body(FindBody, await self.get(path, {"external_source": "imdb_id"}), f"GET /{path}")
        return FindResult(
            movie_ids=[item.id for item in found.movie_results], tv_ids=[item.id for item in found.tv_results]
        )

    async def movie_details(self, movie_id: int, append: Iterable[str] = DEFAULT_APPEND) -> dict[str, Any]:
        """``/movie/{id}`` with ``append_to_response``; raises TMDBNotFound for an unknown id."""
        return await self.get(f"movie/{int(movie_id)}", _append_params(append))

    async def movie_details_by_imdb(
        self, imdb_id: str, append: Iterable[str] = DEFAULT_APPEND
    ) -> dict[str, Any]:
        """``/movie/{imdb_id}``: TMDB's ``/movie`` path also takes an IMDB id (``tt`` and digits).

        The answer is the movie TMDB links to that IMDB id; check its ``imdb_id`` before trusting it.
        Raises TMDBNotFound when TMDB has no movie for it.
        """
        if not IMDB_ID.fullmatch(imdb_id):
            raise ValueError(f"not an IMDB id: {imdb_id!r}")
        return await self.get(f"movie/{imdb_id}", _append_params(append))

    async def movie_changes(self, start: date, end: date) -> list[int]:
        """Every id ``/movie/changes`` names from ``start`` to ``end`` (every page; <= 14 days)."""
        return await self._changes("movie/changes", start, end)

    async def tv_changes(self, start: date, end: date) -> list[int]:
        """Every id ``/tv/changes`` names from ``start`` to ``end`` (every page; <= 14 days)."""
        return await self._changes("tv/changes", start, end)

    async def _changes(self, path: str, start: date, end: date) -> list[int]:
        params: dict[str, Any] = {"start_date": start.isoformat(), "end_date": end.isoformat(), "page": 1}
        first = await self._list_page(path, params)
        pages = min(first.total_pages or 1, MAX_PAGES)
        if (first.total_pages or 1) > MAX_PAGES:
            log.warning("GET /%s says %d pages; TMDB serves %d at most", path, first.total_pages, MAX_PAGES)
        rest = await asyncio.gather(
            *(self._list_page(path, {**params, "page": n}) for n in range(2, pages + 1))
        )
        ids: dict[int, None] = {}
        for page in (first, *rest):
            for item in page.results:
                ids[item.id] = None
        return list(ids)

    async def _list_page(self, path: str, params: dict[str, Any]) -> ListPage:
        return read_body(ListPage, await self.get(path, params), f"GET /{path} page {params.get('page')}")

    async def tv_details(self, tv_id: int, append: Iterable[str] = DEFAULT_APPEND) -> dict[str, Any]:
        """``/tv/{id}`` with ``append_to_response``; raises TMDBNotFound for an unknown id."""
        return await self.get(f"tv/{int(tv_id)}", _append_params(append))

    async def movie_genres(self, language: str | None = None) -> dict[str, int]:
        """Genre name -> id, from ``/genre/movie/list``."""
        return await self._genres("genre/movie/list", language)

    async def tv_genres(self, language: str | None = None) -> dict[str, int]:
        """Genre name -> id, from ``/genre/tv/list`` (TV ids differ from movie ids: "Action & Adventure")."""
        return await self._genres("genre/tv/list", language)

    async def _genres(self, path: str, language: str | None) -> dict[str, int]:
        data = await self.get(path, {"language": language} if language else None)
        return {g.name: g.id for g in read_body(GenreList, data, f"GET /{path}").genres}

    async def discover_movies(
        self,
        *,
        with_genres: str | None = None,
        release_gte: date | None = None,
        release_lte: date | None = None,
        page: int = 1,
        sort_by: str = "popularity.desc",
        **extra: str | int | float,
    ) -> dict[str, Any]:
        """One page of ``/discover/movie`` (``with_genres``: comma = AND, pipe = OR; dates of release)."""
        return await self._discover(
            "discover/movie",
            "primary_release_date",
            with_genres,
            release_gte,
            release_lte,
            page,
            sort_by,
            extra,
        )

    async def discover_tv(
        self,
        *,
        with_genres: str | None = None,
        first_air_gte: date | None = None,
        first_air_lte: date | None = None,
        page: int = 1,
        sort_by: str = "popularity.desc",
        **extra: str | int | float,
    ) -> dict[str, Any]:
        """One page of ``/discover/tv`` (``with_genres``: comma = AND, pipe = OR; dates of first air)."""
        return await self._discover(
            "discover/tv", "first_air_date", with_genres, first_air_gte, first_air_lte, page, sort_by, extra
        )

    async def _discover(
        self,
        path: str,
        date_field: str,
        with_genres: str | None,
        gte: date | None,
        lte: date | None,
        page: int,
        sort_by: str,
        extra: dict[str, str | int | float],
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"page": page, "sort_by": sort_by}
        if with_genres:
            params["with_genres"] = with_genres
        if gte:
            params[f"{date_field}.gte"] = gte.isoformat()
        if lte:
            params[f"{date_field}.lte"] = lte.isoformat()
        params.update(extra)
        data = await self.get(path, params)
        read_body(ListPage, data, f"GET /{path} page {page}")  # the caller reads the dates of the titles too
        return data

    async def check_auth(self) -> AuthCheck:
        """``/authentication``: whether the credentials work. A rejection is an answer here, not an error."""
        try:
            data = await self.get("authentication")
        except TMDBAuthError as exc:
            return AuthCheck(
                False, exc.status or 401, exc.tmdb_code, str(exc), self.base_url, self.auth_method
            )
        code = data.get("status_code")
        return AuthCheck(
            ok=bool(data.get("success", True)),
            status=200,
            tmdb_code=code if isinstance(code, int) else None,
            message=clip_text(str(data.get("status_message") or "Success.")),
            base_url=self.base_url,
            auth_method=self.auth_method,
        )

    # -- the request loop ------------------------------------------------------------------------------------

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET ``base_url/path`` and return the JSON object, retrying what is worth retrying."""
        http, slots = self._http, self._slots
        if http is None or slots is None:
            raise RuntimeError("TMDBClient is not open: use it as `async with TMDBClient(...) as client`")
        path = path.lstrip("/")
        attempt = 0
        while True:
            try:
                async with slots:
                    if self._resume_at and time.monotonic() < self._resume_at:
                        await asyncio.sleep(self._resume_at - time.monotonic())
                    if self._limiter is not None:
                        await self._limiter.acquire()
                    return await self._attempt(http, path, params)
            except _Retry as retry:
                if attempt >= self.max_retries:
                    self.stats.failures += 1
                    error = TMDBResponseError if retry.bad_body else TMDBRequestError
                    raise error(
                        f"TMDB request GET /{path} failed after {attempt + 1} attempts: {retry.reason}",
                        status=retry.status,
                    ) from None
                delay = self._delay(attempt, retry.retry_after)
                attempt += 1
                self.stats.retries += 1
                log.warning(
                    "retrying GET /%s in %.2fs (%s; attempt %d of %d)",
                    path,
                    delay,
                    retry.reason,
                    attempt + 1,
                    self.max_retries + 1,
                )
                await asyncio.sleep(delay)

    async def _attempt(
        self, http: httpx.AsyncClient, path: str, params: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        stats = self.stats
        stats.requests += 1
        url = self._prefix + path
        if params:
            url = f"{url}?{urlencode({**self._query, **params} if self._query else params, safe=',|')}"
        elif self._query_string:
            url = f"{url}?{self._query_string}"
        try:
            async with asyncio.timeout(self.deadline):
                status, body, retry_after = await self._exchange(http, url, path)
        except TimeoutError:
            raise _Retry(f"no complete answer within the {self.deadline:g} s deadline") from None
        except httpx.TransportError as exc:  # timeouts, refused or reset connections, truncated bodies
            detail = clip_text(redact(str(exc), self._secrets))
            raise _Retry(f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__) from None
        if status == 200:
            try:
                data = orjson.loads(body)
            except orjson.JSONDecodeError:
                raise _Retry(
                    f"HTTP 200 with a body that is not JSON ({len(body)} bytes)", status=status, bad_body=True
                ) from None
            if not isinstance(data, dict):
                raise TMDBResponseError(
                    f"TMDB GET /{path}: expected a JSON object, got {type(data).__name__}"
                )
            return data
        return self._raise_for_status(path, status, body, retry_after)

    async def _exchange(self, http: httpx.AsyncClient, url: str, path: str) -> tuple[int, bytes, str | None]:
        """The status, the body (streamed, at most ``max_body_bytes``) and the Retry-After of one request."""
        stats = self.stats
        async with http.stream("GET", url) as response:
            status = response.status_code
            stats.by_status[status] = stats.by_status.get(status, 0) + 1
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_body_bytes:
                self._too_large(path, f"its Content-Length says {int(declared):,} bytes")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_body_bytes:
                    self._too_large(path, f"{size:,} bytes read and more to come")
                chunks.append(chunk)
            return status, b"".join(chunks), response.headers.get("retry-after")

    def _too_large(self, path: str, what: str) -> None:
        """Refuse a body over the limit at once (closing its connection): that request fails, not the run."""
        self.stats.failures += 1
        raise TMDBResponseError(
            f"TMDB GET /{path}: the body is over the {self.max_body_bytes:,}-byte limit ({what}); refused"
        )

    def _raise_for_status(self, path: str, status: int, body: bytes, retry_after_header: str | None) -> Any:
        error = ErrorBody.parse(body)
        what = redact(error.describe(), self._secrets)
        if status == 401 or (error.status_code in AUTH_CODES and status < 500):
            self.stats.failures += 1
            raise TMDBAuthError(
                f"TMDB rejected the credentials ({what}) at {self.base_url}: {CREDENTIALS_HINT}",
                status=status,
                tmdb_code=error.status_code,
            )
        if status == 404 or error.status_code in NOT_FOUND_CODES:
            self.stats.not_found += 1
            raise TMDBNotFound(f"TMDB has no /{path} ({what})", status=status, tmdb_code=error.status_code)
        if status == 429:
            self.stats.throttled += 1
            retry_after = parse_retry_after(retry_after_header)
            if retry_after is not None:
                self._resume_at = max(self._resume_at, time.monotonic() + min(retry_after, MAX_RETRY_AFTER))
            raise _Retry(f"HTTP 429 ({what})", retry_after=retry_after, status=status)
        if status >= 500 or status == 408:
            raise _Retry(
                f"HTTP {status} ({what})", retry_after=parse_retry_after(retry_after_header), status=status
            )
        self.stats.failures += 1
        raise TMDBRequestError(
            f"TMDB refused GET /{path}: HTTP {status} ({what})", status=status, tmdb_code=error.status_code
        )

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Full-jitter exponential backoff; at least what ``Retry-After`` asked for."""
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        jitter = self._random.uniform(0.0, ceiling)
        if retry_after is None:
            return jitter
        # Honour the server's pause, then spread the callers over a short extra window instead of a herd.
        return min(retry_after, MAX_RETRY_AFTER) + self._random.uniform(0.0, min(ceiling, self.backoff_base))


def _append_params(append: Iterable[str]) -> dict[str, str] | None:
    parts = [a.strip() for a in append if a and a.strip()]
    return {"append_to_response": ",".join(parts)} if parts else None
