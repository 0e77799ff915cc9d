"""The TMDB v3 routes of the offline server, answered from the packaged snapshot.

Responses are pre-serialised where it pays: each movie's detail object and each of its appends are bytes
made once at start, and a ``/movie/{id}`` response is those bytes spliced together.
"""

from __future__ import annotations

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
from cinelake.tmdb.server.listing import DiscoverSpec, discover_page, int_id, json_response, sorted_ids
from cinelake.tmdb.server.options import ServerOptions
from cinelake.tmdb.server.tv import TVIndex, build_tv_routes
from cinelake.tmdb.snapshot import APPEND_KEYS, Snapshot, details_without_appends, list_item, load_snapshot
from cinelake.tmdb.snapshot.tv import TVSnapshot, load_tv_snapshot

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
MOVIE_DISCOVER = DiscoverSpec(
    sort_fields=SORT_FIELDS,
    date_field="release_date",
    gte_params=("primary_release_date.gte", "release_date.gte"),
    lte_params=("primary_release_date.lte", "release_date.lte"),
    year_params=("primary_release_year", "year"),
)
_json = json_response


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

    def find_body(self, imdb_id: str, tv_results: list[dict[str, Any]] | None = None) -> bytes:
        """The ``/find`` body: the snapshot's movies for ``imdb_id``, and the series ``tv_results`` names."""
        if tv_results:
            return self._find_bytes(imdb_id, tv_results)
        body = self._find.get(imdb_id)
        if body is None:
            body = self._find_bytes(imdb_id, [])
            if len(self._find) < 100_000:
                self._find[imdb_id] = body
        return body

    def _find_bytes(self, imdb_id: str, tv_results: list[dict[str, Any]]) -> bytes:
        results = [{**self.items[m["id"]], "media_type": "movie"} for m in self.snapshot.find_imdb(imdb_id)]
        return orjson.dumps(
            {
                "movie_results": results,
                "person_results": [],
                "tv_results": tv_results,
                "tv_episode_results": [],
                "tv_season_results": [],
            }
        )

    def order(self, field: str, descending: bool) -> list[int]:
        """Movie ids sorted by ``field``; movies without the field go last, as TMDB puts them."""
        key = (field, descending)
        ids = self._orders.get(key)
        if ids is None:
            ids = sorted_ids(self.snapshot.movies, field, descending)
            self._orders[key] = ids
        return ids


def discover(index: SnapshotIndex, params: Any) -> Response:
    return discover_page(MOVIE_DISCOVER, params, index.snapshot.movies, index.items, index.order)


def build_routes(
    index: SnapshotIndex,
    tv_index: TVIndex,
    state: ServerState,
    edit: Callable[[bytes], bytes] | None = None,
    edit_series: Callable[[bytes], bytes] | None = None,
) -> list[Route]:
    """The /3 routes; ``edit``/``edit_series`` apply the simulated change feed to a details body."""
    async def movie(request: Request) -> Response:
        raw_id = request.path_params["movie_id"]
        # TMDB's /movie/{id} also takes an IMDB id: the same body as /movie/{tmdb_id}.
        movie_id: int | None
        if raw_id.startswith("tt"):
            movie_id = index.imdb_movie(raw_id) if state.options.movie_by_imdb else None
        else:
            movie_id = int_id(raw_id)
        append = request.query_params.get("append_to_response", "")
        body = (
            index.movie_body(movie_id, append.split(",") if append else []) if movie_id is not None else None
        )
        if body is None:
            return _json(bodies.NOT_FOUND, 404)
        return _json(edit(body) if edit is not None else body)

    async def find(request: Request) -> Response:
        source = request.query_params.get("external_source")
        if not source:
            return _json(bodies.validation_error("external_source must be provided"), 422)
        imdb_id = request.path_params["external_id"] if source == "imdb_id" else ""
        tv_results = tv_index.find_results(imdb_id, state.options.tv_imdb_ids)
        return _json(index.find_body(imdb_id, tv_results))

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
        *build_tv_routes(tv_index, state, edit_series),
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


def create_app(
    options: ServerOptions | None = None, snapshot: Snapshot | None = None, tv: TVSnapshot | None = None
) -> TMDBGate:
    """The ASGI app of the offline server (``state`` is reachable as ``app.state``)."""
    state = ServerState(options or ServerOptions())
    index = SnapshotIndex(snapshot or load_snapshot())
    tv_index = TVIndex(tv or load_tv_snapshot())
    movie_feed = ChangeFeed("movie", index.snapshot.movies)
    series_feed = ChangeFeed("tv", tv_index.ids)
    routes = [
        *build_control_routes(state),
        *build_change_routes(state, movie_feed, series_feed),  # before /3/movie/{id} and /3/tv/{id}
        *build_routes(
            index,
            tv_index,
            state,
            edit=lambda body: edited_details(state, movie_feed, body),
            edit_series=lambda body: edited_details(state, series_feed, body),
        ),
    ]
    starlette = Starlette(routes=routes)
    return TMDBGate(starlette, state)
