"""The parts of TMDB's answers the client reads, as pydantic models: a body of another shape is refused
with its reason (a :class:`~cinelake.tmdb.errors.TMDBResponseError`), never read half way.

Detail bodies (``/movie/{id}``, ``/tv/{id}``) are kept whole in Raw and checked by the ingestion (an
integer ``id``); these are the bodies the client turns into ids itself: ``/find``, the listings of
``/discover`` and ``/changes``, and the genre lists. Extra fields are ignored; an id must be a JSON integer
(``"abc"`` or ``"12"`` is not an id).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from cinelake.errors import clip_text
from cinelake.tmdb.errors import TMDBResponseError

# TMDB serves no page past 500 of a listing, whatever its ``total_pages`` says.
MAX_PAGES = 500


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Titled(_Body):
    """A title in a list: its TMDB id."""

    id: StrictInt


class FindBody(_Body):
    """``/find/{external_id}``: the movies and series TMDB links to the id."""

    movie_results: list[Titled] = []
    tv_results: list[Titled] = []


class ListPage(_Body):
    """One page of ``/discover/*`` or ``/{movie,tv}/changes``."""

    page: StrictInt | None = None
    total_pages: StrictInt | None = Field(default=None, ge=0)
    results: list[Titled] = []


class Genre(_Body):
    id: StrictInt
    name: StrictStr


class GenreList(_Body):
    """``/genre/{movie,tv}/list``."""

    genres: list[Genre] = []


BodyT = TypeVar("BodyT", bound=_Body)


def read_body(model: type[BodyT], data: Any, what: str) -> BodyT:
    """``data`` as ``model``; a TMDBResponseError naming ``what`` and the first problem if it is not one."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the body"
        value = clip_text(repr(first.get("input")), 80)
        problem = clip_text(f"{where}: {first['msg']} (got {value})")
        raise TMDBResponseError(
            f"TMDB {what}: the body is not what TMDB sends ({problem}; {exc.error_count()} problem(s))"
        ) from None
