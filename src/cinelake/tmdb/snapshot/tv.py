"""The packaged snapshot of real TMDB series (built by scripts/build_tv_snapshot.py; see SOURCE.md here).

``tv.jsonl.gz`` holds one TMDB ``/tv/{id}`` object per line, exactly as the sample holds it; it has no
appends (no ``external_ids``, so no IMDB ids; no ``credits``, no ``keywords``). ``genres_tv.json`` is
the list of the genres those series carry, in the shape of ``/genre/tv/list``.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import orjson

# The keys of a series in a list (discover, find), in the order of TMDB's own TV list items.
TV_LIST_ITEM_KEYS = (
    "adult",
    "backdrop_path",
    "first_air_date",
    "genre_ids",
    "id",
    "name",
    "origin_country",
    "original_language",
    "original_name",
    "overview",
    "popularity",
    "poster_path",
    "vote_average",
    "vote_count",
)


@dataclass
class TVSnapshot:
    """Series by TMDB id and the TV genre list."""

    series: dict[int, dict[str, Any]]
    genres: list[dict[str, Any]]

    def __len__(self) -> int:
        return len(self.series)

    @property
    def ids(self) -> list[int]:
        """Every TMDB TV id the snapshot holds, ascending (what a change feed can list)."""
        return sorted(self.series)

    @property
    def genre_ids(self) -> dict[str, int]:
        return {g["name"]: int(g["id"]) for g in self.genres}


def tv_list_item(show: dict[str, Any]) -> dict[str, Any]:
    """The series as a list item of ``/discover/tv`` or ``/find`` (``genre_ids`` instead of ``genres``)."""
    item: dict[str, Any] = {}
    for key in TV_LIST_ITEM_KEYS:
        if key == "genre_ids":
            item[key] = [g["id"] for g in show.get("genres", ())]
        elif key in show:
            item[key] = show[key]
    return item


def _read(name: str) -> bytes:
    return resources.files("cinelake.tmdb.snapshot").joinpath(name).read_bytes()


@lru_cache(maxsize=1)
def load_tv_snapshot() -> TVSnapshot:
    """The packaged TV snapshot, read once per process."""
    series = {}
    for line in gzip.decompress(_read("tv.jsonl.gz")).splitlines():
        if line:
            show = orjson.loads(line)
            series[int(show["id"])] = show
    genres = orjson.loads(_read("genres_tv.json"))["genres"]
    return TVSnapshot(series=series, genres=genres)
