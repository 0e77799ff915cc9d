"""What the movie and TV routes of the offline server share: JSON responses, ids, and discover's paging.

``/discover/movie`` and ``/discover/tv`` differ only in their records, the date they filter on and the
names of their parameters; :func:`discover_page` answers both.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.responses import Response

from cinelake.tmdb.server import bodies

PAGE_SIZE = 20
MAX_PAGE = 500
JSON = "application/json;charset=utf-8"


def json_response(body: bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type=JSON)


def int_id(value: str) -> int | None:
    try:
        return int(value.split("-", 1)[0])  # TMDB accepts "862-toy-story" slugs
    except ValueError:
        return None


def genre_filter(value: str) -> Callable[[list[int]], bool] | None:
    """``with_genres``: "16,35" means both (AND), "16|35" means either (OR)."""
    if not value.strip():
        return None
    if "|" in value:
        wanted = {int(part) for part in value.split("|") if part.strip()}
        return lambda ids: any(g in wanted for g in ids)
    required = {int(part) for part in value.split(",") if part.strip()}
    return lambda ids: required.issubset(ids)


def sorted_ids(records: Mapping[int, Mapping[str, Any]], field: str, descending: bool) -> list[int]:
    """Ids sorted by ``field``, ties on the id; records without the field go last, as TMDB puts them."""
    have = [i for i in records if records[i].get(field) not in (None, "")]
    have.sort(key=lambda i: (records[i][field], -i if descending else i), reverse=descending)
    missing = sorted(i for i in records if records[i].get(field) in (None, ""))
    return have + missing


@dataclass(frozen=True)
class DiscoverSpec:
    """One discover endpoint: its sortable fields, its date field and the parameters that filter it."""

    sort_fields: Mapping[str, str]  # sort_by name -> field of the record
    date_field: str
    gte_params: tuple[str, ...]
    lte_params: tuple[str, ...]
    year_params: tuple[str, ...]


def _first(params: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = params.get(name)
        if value:
            return value
    return None


def discover_page(
    spec: DiscoverSpec,
    params: Mapping[str, str],
    records: Mapping[int, Mapping[str, Any]],
    items: Mapping[int, Mapping[str, Any]],
    order: Callable[[str, bool], list[int]],
) -> Response:
    """One page of a discover query over ``records`` (list items from ``items``), as TMDB answers it."""
    try:
        page = int(params.get("page", "1"))
    except ValueError:
        page = 0
    if not 1 <= page <= MAX_PAGE:
        return json_response(bodies.INVALID_PAGE, 400)
    sort_by = params.get("sort_by", "popularity.desc")
    field_name, _, direction = sort_by.partition(".")
    if field_name not in spec.sort_fields or direction not in ("asc", "desc"):
        return json_response(
            bodies.validation_error(
                f"sort_by must be one of {', '.join(sorted(spec.sort_fields))} followed by .asc or .desc"
            ),
            422,
        )
    try:
        genres = genre_filter(params.get("with_genres", ""))
    except ValueError:
        return json_response(
            bodies.validation_error("with_genres must be genre ids separated by , or |"), 422
        )
    gte = _first(params, spec.gte_params)
    lte = _first(params, spec.lte_params)
    year = _first(params, spec.year_params)
    selected: list[int] = []
    for record_id in order(spec.sort_fields[field_name], direction == "desc"):
        dated = records[record_id].get(spec.date_field) or ""
        if gte and dated < gte:
            continue
        if lte and (not dated or dated > lte):
            continue
        if year and not dated.startswith(year):
            continue
        if genres is not None and not genres(items[record_id]["genre_ids"]):
            continue
        selected.append(record_id)
    start = (page - 1) * PAGE_SIZE
    body = {
        "page": page,
        "results": [items[i] for i in selected[start : start + PAGE_SIZE]],
        "total_pages": math.ceil(len(selected) / PAGE_SIZE),
        "total_results": len(selected),
    }
    return json_response(orjson.dumps(body))
