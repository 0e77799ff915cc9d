"""Build small Raw zones for the Spark tests from real data.

TMDB records come from the packaged snapshot (real TMDB data in the API shape, with fields absent
where the sources lack them) and from real TMDB API responses in tests/data/tmdb_api_samples;
the local CSV files are the challenge's real samples in tests/data/compass_uol_sample.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cinelake.lake import layout
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from cinelake.tmdb.snapshot import load_snapshot

DAY1 = date(2026, 11, 25)
DAY2 = date(2026, 11, 26)
FIGHT_CLUB = 550
FIGHT_CLUB_IMDB = "tt0137523"
SNAPSHOT_MOVIES = 60

LOCAL_HEADER = (
    "id|tituloPincipal|tituloOriginal|anoLancamento|tempoMinutos|genero|notaMedia|numeroVotos|generoArtista|"
    "personagem|nomeArtista|anoNascimento|anoFalecimento|profissao|titulosMaisConhecidos"
)

# A real Game of Thrones /tv/1399 subset (the TV shape; the snapshot holds movies only).
SERIES_RECORD: dict[str, Any] = {
    "id": 1399,
    "name": "Game of Thrones",
    "original_name": "Game of Thrones",
    "original_language": "en",
    "first_air_date": "2011-04-17",
    "last_air_date": "2019-05-19",
    "number_of_seasons": 8,
    "number_of_episodes": 73,
    "episode_run_time": [60],
    "genres": [{"id": 10765, "name": "Sci-Fi & Fantasy"}, {"id": 18, "name": "Drama"}],
    "created_by": [{"id": 9813, "name": "David Benioff"}, {"id": 228068, "name": "D. B. Weiss"}],
    "networks": [{"id": 49, "name": "HBO", "origin_country": "US"}],
    "status": "Ended",
    "external_ids": {"imdb_id": "tt0944947"},
}


def jsonl(records: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


def snapshot_movies(count: int = SNAPSHOT_MOVIES) -> list[dict[str, Any]]:
    """The first ``count`` snapshot movies that have an IMDB id, by TMDB id."""
    movies = load_snapshot().movies
    chosen = [movies[i] for i in sorted(movies) if movies[i].get("imdb_id")]
    return [json.loads(json.dumps(m)) for m in chosen[:count]]


@dataclass
class RawFixture:
    """What was put in Raw, for the tests to compare against."""

    lake: Lake
    day1_ids: set[int] = field(default_factory=set)
    day2_ids: set[int] = field(default_factory=set)
    duplicated_id: int = 0
    duplicate_popularity: float = 0.0
    zero_budget_id: int = 0
    bare_id: int = 999_999_001
    malformed_lines: int = 1


def build_raw(lake: Lake, real_data: Path) -> RawFixture:
    """Two days of Raw data: day 1 with 60 snapshot movies and Fight Club, a same-day duplicate in a
    second file, a malformed line and a bare record; day 2 with Fight Club again (the hand-edited
    sample: other revenue and popularity) and a few snapshot movies; local CSV files on both days."""
    samples = real_data / "tmdb_api_samples"
    fight_club_day1 = json.loads((samples / "jdrouet_tmdb-api" / "movie-details.json").read_text())
    fight_club_day2 = json.loads((samples / "c-eg_themoviedbapi" / "movie_details.json").read_text())
    movies = snapshot_movies()
    fixture = RawFixture(lake)

    zero = next(m for m in movies if m.get("budget") == 0)
    fixture.zero_budget_id = int(zero["id"])
    duplicate = dict(movies[3])
    duplicate["popularity"] = 123.456
    fixture.duplicated_id = int(duplicate["id"])
    fixture.duplicate_popularity = 123.456

    day1_file1 = [*movies, fight_club_day1, {"id": fixture.bare_id, "title": "Bare"}]
    body = jsonl(day1_file1) + b'{"id": 42, "title": "cut short\n'
    lake.write_bytes(layout.raw_tmdb_file("Movies", DAY1, "run-a", 1), body)
    lake.write_bytes(layout.raw_tmdb_file("Movies", DAY1, "run-a", 2), jsonl([duplicate]))
    fixture.day1_ids = {int(m["id"]) for m in day1_file1}

    day2 = [fight_club_day2, *movies[10:15]]
    lake.write_bytes(layout.raw_tmdb_file("Movies", DAY2, "run-b", 1), jsonl(day2))
    fixture.day2_ids = {int(m["id"]) for m in day2}

    lake.write_bytes(layout.raw_tmdb_file("Series", DAY1, "run-a", 1), jsonl([SERIES_RECORD]))

    compass = real_data / "compass_uol_sample"
    lake.copy_in(compass / "movies_subset_1.csv", layout.raw_local_csv_file(Kind.MOVIES, DAY1, "movies.csv"))
    lake.copy_in(compass / "movies_subset_2.csv", layout.raw_local_csv_file(Kind.MOVIES, DAY2, "movies.csv"))
    lake.copy_in(compass / "series_subset.csv", layout.raw_local_csv_file(Kind.SERIES, DAY1, "series.csv"))
    # Fight Club in the challenge's format, rated on both days (the later rating must win in Refined).
    for day, rating, votes in ((DAY1, "8.7", "2100000"), (DAY2, "8.8", "2200000")):
        row = (
            f"{FIGHT_CLUB_IMDB}|Fight Club|Fight Club|1999|139|Drama|{rating}|{votes}|actor|Narrator|"
            "Edward Norton|1969|\\N|actor,producer|tt0137523,tt0120586"
        )
        lake.write_bytes(
            layout.raw_local_csv_file(Kind.MOVIES, day, "fight-club.csv"), f"{LOCAL_HEADER}\n{row}\n".encode()
        )
    return fixture
