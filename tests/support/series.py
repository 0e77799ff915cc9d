"""Series test fixtures: the IMDB ids the tests pair with TMDB TV ids, and the real TV responses they copy.

The packaged TV snapshot carries no IMDB ids (its source has no ``external_ids``), so the CSV series path
cannot be shown on packaged data. These pairs are declared here, by the tests, for the tests: the offline
server is told them (``tv_imdb_ids``) and nothing else ever ships them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

TV_DATA = Path(__file__).resolve().parents[1] / "data" / "tmdb_tv"

# IMDB id -> TMDB TV id, for series that the packaged snapshot holds.
DECLARED_TV_IMDB_IDS: dict[str, int] = {
    "tt0096697": 456,  # The Simpsons (Animation, Comedy)
    "tt0121955": 2190,  # South Park (Animation, Comedy)
    "tt0182576": 1434,  # Family Guy (Animation, Comedy)
    "tt2861424": 60625,  # Rick and Morty (Animation, Comedy, ...)
    "tt0108778": 1668,  # Friends (Comedy)
    "tt0898266": 1418,  # The Big Bang Theory (Comedy)
}


def tv_sample(name: str) -> Any:
    """A real TMDB response copied into tests/data/tmdb_tv (see its SOURCE.md)."""
    return orjson.loads((TV_DATA / name).read_bytes())


def tv_details_samples() -> dict[int, dict[str, Any]]:
    """The real ``/tv/{id}`` responses copied from the shared TV sample, by TMDB id."""
    lines = (TV_DATA / "tv_details_sample.jsonl").read_bytes().splitlines()
    records = [orjson.loads(line) for line in lines if line.strip()]
    return {int(r["id"]): r for r in records}
