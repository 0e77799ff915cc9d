"""The TV routes of the offline server, answered from the packaged TV snapshot.

``/tv/{id}`` (with ``append_to_response``), ``/discover/tv``, ``/genre/tv/list``, and the series part
of ``/find`` (``tv_results``). The snapshot carries no IMDB ids, so ``/find`` lists a series only for
the IMDB ids the server was told (``ServerOptions.tv_imdb_ids``); the same ids then answer the
``external_ids`` append. The gate in front of these routes gives them the faults, rate limit and
error bodies of every other route.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cinelake.tmdb.server import bodies
from cinelake.tmdb.server.gate import ServerState
from cinelake.tmdb.server.listing import DiscoverSpec, discover_page, int_id, json_response, sorted_ids
from cinelake.tmdb.snapshot.tv import TVSnapshot, tv_list_item

# sort_by value -> field of the series; ties break on the id so pages are stable.
TV_SORT_FIELDS = {
    "popularity": "popularity",
    "vote_average": "vote_average",
    "vote_count": "vote_count",
    "first_air_date": "first_air_date",
    "name": "name",
    "original_name": "original_name",
}
TV_DISCOVER = DiscoverSpec(
    sort_fields=TV_SORT_FIELDS,
    date_field="first_air_date",
    gte_params=("first_air_date.gte",),
    lte_params=("first_air_date.lte",),
    year_params=("first_air_date_year",),
)


class TVIndex:
    """The TV snapshot, ready to answer: pre-serialised details, list items and sort orders."""

    def __init__(self, snapshot: TVSnapshot) -> None:
        self.snapshot = snapshot
        self.details: dict[int, bytes] = {i: orjson.dumps(s) for i, s in snapshot.series.items()}
        self.items: dict[int, dict[str, Any]] = {i: tv_list_item(s) for i, s in snapshot.series.items()}
        self.genre_list = orjson.dumps({"genres": snapshot.genres})
        self._orders: dict[tuple[str, bool], list[int]] = {}

    @property
    def ids(self) -> list[int]:
        """Every TV id the server knows, ascending."""
        return self.snapshot.ids

    def tv_body(self, tv_id: int, append: list[str], imdb_ids: Mapping[str, int]) -> bytes | None:
        """``/tv/{id}``; of the appends only ``external_ids`` can be filled, and only for a known IMDB id."""
        base = self.details.get(tv_id)
        if base is None:
            return None
        if "external_ids" not in append:
            return base
        imdb = sorted(k for k, v in imdb_ids.items() if v == tv_id)
        if not imdb:
            return base
        external = orjson.dumps({"id": tv_id, "imdb_id": imdb[0]})
        return base[:-1] + b',"external_ids":' + external + b"}"

    def find_results(self, imdb_id: str, imdb_ids: Mapping[str, int]) -> list[dict[str, Any]]:
        """``/find``'s ``tv_results`` for ``imdb_id``: the series it maps to, if the server knows it."""
        tv_id = imdb_ids.get(imdb_id) if imdb_id else None
        if tv_id is None or tv_id not in self.items:
            return []
        return [{**self.items[tv_id], "media_type": "tv"}]

    def order(self, field: str, descending: bool) -> list[int]:
        key = (field, descending)
        ids = self._orders.get(key)
        if ids is None:
            ids = sorted_ids(self.snapshot.series, field, descending)
            self._orders[key] = ids
        return ids


def build_tv_routes(
    index: TVIndex, state: ServerState, edit: Callable[[bytes], bytes] | None = None
) -> list[Route]:
    """``/3/tv/{id}``, ``/3/discover/tv``, ``/3/genre/tv/list``; ``edit`` applies the simulated edits."""
    async def tv(request: Request) -> Response:
        tv_id = int_id(request.path_params["tv_id"])
        append = request.query_params.get("append_to_response", "")
        parts = append.split(",") if append else []
        body = index.tv_body(tv_id, parts, state.options.tv_imdb_ids) if tv_id is not None else None
        if body is None:
            return json_response(bodies.NOT_FOUND, 404)
        return json_response(edit(body) if edit is not None else body)

    async def discover_tv(request: Request) -> Response:
        return discover_page(
            TV_DISCOVER, request.query_params, index.snapshot.series, index.items, index.order
        )

    async def genre_tv_list(request: Request) -> Response:
        return json_response(index.genre_list)

    return [
        Route("/3/tv/{tv_id}", tv),
        Route("/3/discover/tv", discover_tv),
        Route("/3/genre/tv/list", genre_tv_list),
    ]
