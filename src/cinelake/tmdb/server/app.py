"""The TMDB v3 routes of the offline server, answered from the packaged snapshot.

Responses are pre-serialised where it pays: each movie's detail object and each of its appends are bytes
made once at start, and a ``/movie/{id}`` response is those bytes spliced together.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cinelake.tmdb.server import bodies
from cinelake.tmdb.server.changes import ChangeFeed, build_change_routes, edited_details
from cinelake.tmdb.server.gate import ServerState, TMDBGate
from cinelake.tmdb.server.options import ServerOptions
from cinelake.tmdb.snapshot import APPEND_KEYS, Snapshot, details_without_appends, list_item, load_snapshot

PAGE_SIZE = 20
MAX_PAGE = 500
JSON = "application/json;charset=utf-8"

# sort_by value -> (key of the list item, descending); ties break on the id so pages are stable.
SORT_FIELDS = {
    "popularity": "popularity",
    "vote_average": "vote_average",
    "vote_count": "vote_count",
    "release_date": "release_date",
    "primary_release_date": "release_date",
    "revenue": "revenue",
    "original_title": "original_title",
    "title": "title",
}


def _json(body: bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type=JSON)


class SnapshotIndex:
    """The snapshot, ready to answer: pre-serialised details, list items and sort orders."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.details: dict[int, bytes] = {}
        self.appends: dict[int, dict[str, bytes]] = {}
        self.items: dict[int, dict[str, Any]] = {}
        self._find: dict[str, bytes] = {}
        self._orders: dict[tuple[str, bool], list[int]] = {}
        self.genre_list = orjson.dumps({"genres": snapshot.genres})
        for movie_id, movie in snapshot.movies.items():
            self.details[movie_id] = orjson.dumps(details_without_appends(movie))
            self.appends[movie_id] = {k: orjson.dumps(movie[k]) for k in APPEND_KEYS if k in movie}
            self.items[movie_id] = list_item(movie)

    def movie_body(self, movie_id: int, append: list[str]) -> bytes | None:
        base = self.details.get(movie_id)
        if base is None:
            return None
        available = self.appends[movie_id]
        # TMDB leaves out appends it does not know; the snapshot leaves out those it has no data for.
        parts = [b',"' + name.encode() + b'":' + available[name] for name in append if name in available]
        if not parts:
            return base
        return base[:-1] + b"".join(parts) + b"}"

    def imdb_movie(self, imdb_id: str) -> int | None:
        """The TMDB id ``/movie/{imdb_id}`` answers with (the lowest, as the snapshot holds few twins)."""
        ids = self.snapshot.by_imdb.get(imdb_id)
        return min(ids) if ids else None

    def find_body(self, imdb_id: str) -> bytes:
        body = self._find.get(imdb_id)
        if body is None:
            results = [
                {**self.items[m["id"]], "media_type": "movie"} for m in self.snapshot.find_imdb(imdb_id)
            ]
            body = orjson.dumps(
                {
                    "movie_results": results,
                    "person_results": [],
                    "tv_results": [],
                    "tv_episode_results": [],
                    "tv_season_results": [],
                }
            )
            if len(self._find) < 100_000:
                self._find[imdb_id] = body
        return body

    def order(self, field: str, descending: bool) -> list[int]:
        """Movie ids sorted by ``field``; movies without the field go last, as TMDB puts them."""
        key = (field, descending)
        ids = self._orders.get(key)
        if ids is None:
            movies = self.snapshot.movies
            have = [i for i in movies if movies[i].get(field) not in (None, "")]
            have.sort(key=lambda i: (movies[i][field], -i if descending else i), reverse=descending)
            missing = sorted(i for i in movies if movies[i].get(field) in (None, ""))
            ids = have + missing
            self._orders[key] = ids
        return ids


def _genre_filter(value: str) -> Callable[[list[int]], bool] | None:
    """``with_genres``: "16,35" means both (AND), "16|35" means either (OR)."""
    if not value.strip():
        return None
    if "|" in value:
        wanted = {int(part) for part in value.split("|") if part.strip()}
        return lambda ids: any(g in wanted for g in ids)
    required = {int(part) for part in value.split(",") if part.strip()}
    return lambda ids: required.issubset(ids)


def discover(index: SnapshotIndex, params: Any) -> Response:
    raw_page = params.get("page", "1")
    try:
        page = int(raw_page)
    except ValueError:
        page = 0
    if not 1 <= page <= MAX_PAGE:
        return _json(bodies.INVALID_PAGE, 400)
    sort_by = params.get("sort_by", "popularity.desc")
    field_name, _, direction = sort_by.partition(".")
    if field_name not in SORT_FIELDS or direction not in ("asc", "desc"):
        return _json(
            bodies.validation_error(
                f"sort_by must be one of {', '.join(sorted(SORT_FIELDS))} followed by .asc or .desc"
            ),
            422,
        )
    try:
        genres = _genre_filter(params.get("with_genres", ""))
    except ValueError:
        return _json(bodies.validation_error("with_genres must be genre ids separated by , or |"), 422)
    gte = params.get("primary_release_date.gte") or params.get("release_date.gte")
    lte = params.get("primary_release_date.lte") or params.get("release_date.lte")
    year = params.get("primary_release_year") or params.get("year")
    movies = index.snapshot.movies
    selected: list[int] = []
    for movie_id in index.order(SORT_FIELDS[field_name], direction == "desc"):
        movie = movies[movie_id]
        released = movie.get("release_date") or ""
        if gte and released < gte:
            continue
        if lte and (not released or released > lte):
            continue
        if year and not released.startswith(year):
            continue
        if genres is not None and not genres(index.items[movie_id]["genre_ids"]):
            continue
        selected.append(movie_id)
    start = (page - 1) * PAGE_SIZE
    body = {
        "page": page,
        "results": [index.items[i] for i in selected[start : start + PAGE_SIZE]],
        "total_pages": math.ceil(len(selected) / PAGE_SIZE),
        "total_results": len(selected),
    }
    return _json(orjson.dumps(body))


def _int_id(value: str) -> int | None:
    try:
        return int(value.split("-", 1)[0])  # TMDB accepts "862-toy-story" slugs
    except ValueError:
        return None


def build_routes(
    index: SnapshotIndex, edit: Callable[[bytes], bytes] | None = None, state: ServerState | None = None
) -> list[Route]:
    async def movie(request: Request) -> Response:
        raw_id = request.path_params["movie_id"]
        # TMDB's /movie/{id} also takes an IMDB id: the same body as /movie/{tmdb_id}.
        movie_id: int | None
        if raw_id.startswith("tt"):
            by_imdb = state is None or state.options.movie_by_imdb
            movie_id = index.imdb_movie(raw_id) if by_imdb else None
        else:
            movie_id = _int_id(raw_id)
        append = request.query_params.get("append_to_response", "")
        body = (
            index.movie_body(movie_id, append.split(",") if append else []) if movie_id is not None else None
        )
        if body is None:
            return _json(bodies.NOT_FOUND, 404)
        return _json(edit(body) if edit is not None else body)

    async def tv(request: Request) -> Response:
        # The snapshot holds no series: every id is honestly unknown.
        return _json(bodies.NOT_FOUND, 404)

    async def find(request: Request) -> Response:
        source = request.query_params.get("external_source")
        if not source:
            return _json(bodies.validation_error("external_source must be provided"), 422)
        external_id = request.path_params["external_id"]
        return _json(index.find_body(external_id if source == "imdb_id" else ""))

    async def discover_movie(request: Request) -> Response:
        return discover(index, request.query_params)

    async def genre_movie_list(request: Request) -> Response:
        return _json(index.genre_list)

    async def authentication(request: Request) -> Response:
        # The gate has already checked the credentials.
        return _json(bodies.AUTH_SUCCESS)

    async def not_found(request: Request) -> Response:
        return _json(bodies.NOT_FOUND, 404)

    return [
        Route("/3/movie/{movie_id}", movie),
        Route("/3/tv/{tv_id}", tv),
        Route("/3/find/{external_id}", find),
        Route("/3/discover/movie", discover_movie),
        Route("/3/genre/movie/list", genre_movie_list),
        Route("/3/authentication", authentication),
        Route("/3/{rest:path}", not_found),
    ]


def build_control_routes(state: ServerState) -> list[Route]:
    """The hidden endpoints tests and benchmarks use: read the statistics, change options, reset."""

    async def stats(request: Request) -> Response:
        with_log = request.query_params.get("log") in ("1", "true")
        data = state.stats.as_dict(with_log)
        data["options"] = state.options.as_dict()
        return _json(orjson.dumps(data))

    async def config(request: Request) -> Response:
        try:
            state.configure(orjson.loads(await request.body()))
        except (ValueError, TypeError, orjson.JSONDecodeError) as exc:
            return _json(bodies.validation_error(str(exc)), 422)
        return _json(orjson.dumps(state.options.as_dict()))

    async def reset(request: Request) -> Response:
        state.reset_stats()
        return _json(orjson.dumps({"reset": True}))

    return [
        Route("/__cinelake/stats", stats),
        Route("/__cinelake/config", config, methods=["POST"]),
        Route("/__cinelake/reset", reset, methods=["POST"]),
    ]


def create_app(options: ServerOptions | None = None, snapshot: Snapshot | None = None) -> TMDBGate:
    """The ASGI app of the offline server (``state`` is reachable as ``app.state``)."""
    state = ServerState(options or ServerOptions())
    index = SnapshotIndex(snapshot or load_snapshot())
    movie_feed = ChangeFeed("movie", index.snapshot.movies)
    series_feed = ChangeFeed("tv", ())  # the series ids of the server's snapshot (none yet)
    routes = [
        *build_control_routes(state),
        *build_change_routes(state, movie_feed, series_feed),
        *build_routes(index, lambda body: edited_details(state, movie_feed, body), state),
    ]
    starlette = Starlette(routes=routes)
    return TMDBGate(starlette, state)
