"""Series test fixtures: the IMDB ids the tests pair with TMDB TV ids, and the real TV responses they copy.

The packaged TV snapshot carries no IMDB ids (its source has no ``external_ids``), so the CSV series path
cannot be shown on packaged data. These pairs are declared here, by the tests, for the tests: the offline
server is told them (``tv_imdb_ids``) and nothing else ever ships them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

DATA = Path(__file__).resolve().parents[1] / "data"
API_SAMPLES = DATA / "tmdb_api_samples" / "jdrouet_tmdb-api"
TV_DETAILS = DATA / "tmdb_tv_samples" / "tv_details.jsonl"

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
    """A real TMDB response from tests/data/tmdb_api_samples (see its SOURCE.md)."""
    return orjson.loads((API_SAMPLES / name).read_bytes())


def tv_details_samples() -> dict[int, dict[str, Any]]:
    """The real ``/tv/{id}`` responses of tests/data/tmdb_tv_samples, by TMDB id."""
    lines = TV_DETAILS.read_bytes().splitlines()
    records = [orjson.loads(line) for line in lines if line.strip()]
    return {int(r["id"]): r for r in records}
