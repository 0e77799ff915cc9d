"""The packaged snapshot of real TMDB movie data (built by scripts/build_snapshot.py; see SOURCE.md here).

``movies.jsonl.gz`` holds one TMDB ``/movie/{id}`` object per line, with the ``credits``, ``keywords`` and
``external_ids`` appends inside it where the sources have them. Fields the sources lack are absent.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

APPEND_KEYS = ("credits", "keywords", "external_ids", "release_dates")
# The keys of a movie in a list (find, discover), in the order of TMDB's own list items.
LIST_ITEM_KEYS = (
    "adult",
    "backdrop_path",
    "genre_ids",
    "id",
    "original_language",
    "original_title",
    "overview",
    "popularity",
    "poster_path",
    "release_date",
    "title",
    "video",
    "vote_average",
    "vote_count",
)


VINTAGE_FILE = "metadata.json"


def vintage() -> dict[str, dict[str, str]]:
    """How old the packaged data is, per kind (``movies``, ``series``): ``{"as_of": "2017-08-04",
    "basis": "..."}``, written by the build scripts from the data itself (the newest date it holds)."""
    path = resources.files(__name__).joinpath(VINTAGE_FILE)
    data: dict[str, dict[str, str]] = orjson.loads(path.read_bytes())
    return data


def record_vintage(folder: Path, kind: str, as_of: str, basis: str) -> None:
    """Set ``kind``'s entry of ``folder``'s metadata file (for scripts/build_*snapshot.py)."""
    path = folder / VINTAGE_FILE
    data = orjson.loads(path.read_bytes()) if path.exists() else {}
    data[kind] = {"as_of": as_of, "basis": basis}
    path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")


@dataclass
class Snapshot:
    """Movies by TMDB id, the IMDB index and the genre list."""

    movies: dict[int, dict[str, Any]]
    genres: list[dict[str, Any]]
    by_imdb: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.by_imdb:
            for movie_id, movie in self.movies.items():
                imdb_id = movie.get("imdb_id")
                if imdb_id:
                    self.by_imdb.setdefault(imdb_id, []).append(movie_id)

    def __len__(self) -> int:
        return len(self.movies)

    def movie(self, movie_id: int) -> dict[str, Any] | None:
        return self.movies.get(movie_id)

    def find_imdb(self, imdb_id: str) -> list[dict[str, Any]]:
        return [self.movies[i] for i in self.by_imdb.get(imdb_id, ())]

    @property
    def genre_ids(self) -> dict[str, int]:
        return {g["name"]: int(g["id"]) for g in self.genres}


def details_without_appends(movie: dict[str, Any]) -> dict[str, Any]:
    """The ``/movie/{id}`` object as TMDB returns it when no ``append_to_response`` is asked for."""
    return {k: v for k, v in movie.items() if k not in APPEND_KEYS}


def list_item(movie: dict[str, Any]) -> dict[str, Any]:
    """The movie as a list item of ``/discover/movie`` or ``/find`` (``genre_ids`` instead of ``genres``)."""
    item: dict[str, Any] = {}
    for key in LIST_ITEM_KEYS:
        if key == "genre_ids":
            item[key] = [g["id"] for g in movie.get("genres", ())]
        elif key in movie:
            item[key] = movie[key]
    return item


def _read(name: str) -> bytes:
    return resources.files(__package__).joinpath(name).read_bytes()


@lru_cache(maxsize=1)
def load_snapshot() -> Snapshot:
    """The packaged snapshot, read once per process."""
    lines = gzip.decompress(_read("movies.jsonl.gz")).splitlines()
    movies = {}
    for line in lines:
        if line:
            movie = orjson.loads(line)
            movies[int(movie["id"])] = movie
    genres = orjson.loads(_read("genres.json"))["genres"]
    return Snapshot(movies=movies, genres=genres)
