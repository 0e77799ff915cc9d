"""Small real lakes for the catalog and query tests, built with the lake layout and the Lake store.

Raw TMDB records are the real /movie/{id} responses in tests/data/tmdb_api_samples (with the packaged
snapshot's records when it is there); Raw CSVs are the real Compass UOL samples; Parquet is written
with pyarrow.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from cinelake.lake import layout
from cinelake.lake.layout import Kind, Origin
from cinelake.lake.store import Lake

DETAIL_SAMPLES = ("jdrouet_tmdb-api/movie-details.json", "c-eg_themoviedbapi/movie_details.json")
COMPASS = ("movies_subset_1.csv", "movies_subset_2.csv", "series_subset.csv")

# The TMDB /movie/{id}/credits shape (appended with append_to_response=credits), for Fight Club (550).
FIGHT_CLUB_CREDITS: dict[str, Any] = {
    "cast": [
        {
            "adult": False,
            "gender": 2,
            "id": 819,
            "known_for_department": "Acting",
            "name": "Edward Norton",
            "original_name": "Edward Norton",
            "popularity": 26.99,
            "profile_path": "/8nytsqL59SFJTVYVrN72k6qkGgJ.jpg",
            "cast_id": 4,
            "character": "The Narrator",
            "credit_id": "52fe4250c3a36847f80149f3",
            "order": 0,
        },
        {
            "adult": False,
            "gender": 2,
            "id": 287,
            "known_for_department": "Acting",
            "name": "Brad Pitt",
            "original_name": "Brad Pitt",
            "popularity": 50.87,
            "profile_path": "/cckcYc2v0yh1tc9QjRelptcOBko.jpg",
            "cast_id": 5,
            "character": "Tyler Durden",
            "credit_id": "52fe4250c3a36847f80149f7",
            "order": 1,
        },
    ],
    "crew": [
        {
            "adult": False,
            "gender": 2,
            "id": 7467,
            "known_for_department": "Directing",
            "name": "David Fincher",
            "original_name": "David Fincher",
            "popularity": 21.8,
            "profile_path": None,
            "credit_id": "52fe4250c3a36847f8014a11",
            "department": "Directing",
            "job": "Director",
        }
    ],
}


def detail_records(real_data: Path) -> list[dict[str, Any]]:
    """The real movie detail responses, the first one with its credits appended as TMDB appends them."""
    records = [json.loads((real_data / "tmdb_api_samples" / name).read_text()) for name in DETAIL_SAMPLES]
    records[0] = {**records[0], "credits": FIGHT_CLUB_CREDITS, "external_ids": {"imdb_id": "tt0137523"}}
    return records


def json_lines(records: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def write_raw_json(
    lake: Lake, day: date, records: list[dict[str, Any]], chunk: int = 1, spec: str = "Movies"
) -> str:
    rel = layout.raw_tmdb_file(spec, day, "run1", chunk)
    lake.write_bytes(rel, json_lines(records))
    return rel


def write_raw_csv(lake: Lake, real_data: Path, day: date, name: str = "movies_subset_1.csv") -> str:
    kind = Kind.SERIES if name.startswith("series") else Kind.MOVIES
    rel = layout.raw_local_csv_file(kind, day, name)
    lake.write_bytes(rel, (real_data / "compass_uol_sample" / name).read_bytes())
    return rel


def parquet_bytes(rows: list[dict[str, Any]], schema: Any = None) -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(rows, schema=schema)
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def trusted_schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("id", pa.int64()),
            ("title", pa.string()),
            ("budget", pa.int64()),
            ("release_date", pa.date32()),
            ("vote_average", pa.float64()),
            ("runtime", pa.int32()),
            ("genres", pa.list_(pa.struct([("id", pa.int64()), ("name", pa.string())]))),
        ]
    )


def trusted_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": r["id"],
            "title": r["title"],
            "budget": r["budget"],
            "release_date": date.fromisoformat(r["release_date"]),
            "vote_average": r["vote_average"],
            "runtime": r["runtime"],
            "genres": r["genres"],
        }
        for r in records
    ]


def write_trusted(lake: Lake, day: date, rows: list[dict[str, Any]], part: int = 0) -> str:
    rel = f"{layout.trusted_partition(Origin.TMDB, 'Movies', day)}/part-{part:05d}.parquet"
    lake.write_bytes(rel, parquet_bytes(rows, trusted_schema()))
    return rel


def write_refined(lake: Lake, table: str, rows: list[dict[str, Any]], part: int = 0) -> str:
    rel = f"{layout.refined_table(table)}/part-{part:05d}.parquet"
    lake.write_bytes(rel, parquet_bytes(rows))
    return rel


def build_lake(lake: Lake, real_data: Path) -> dict[str, int]:
    """A lake with every zone; returns the number of records written per table."""
    records = detail_records(real_data)
    write_raw_json(lake, date(2026, 11, 25), records)
    write_raw_json(lake, date(2026, 11, 26), records)
    write_raw_json(lake, date(2026, 11, 26), records[:1], chunk=2)
    write_raw_csv(lake, real_data, date(2024, 7, 1), "movies_subset_1.csv")
    write_raw_csv(lake, real_data, date(2024, 7, 10), "movies_subset_2.csv")
    write_raw_csv(lake, real_data, date(2024, 7, 10), "series_subset.csv")
    write_trusted(lake, date(2026, 11, 25), trusted_rows(records))
    write_trusted(lake, date(2026, 11, 26), trusted_rows(records[:1]))
    write_refined(
        lake,
        "fact_movie",
        [{"movie_key": r["id"], "budget": r["budget"], "revenue": r["revenue"]} for r in records],
    )
    # Bookkeeping and temp files the crawler must not see.
    lake.write_bytes(f"{layout.run_dir('run1')}/manifest.json", b'{"run": "run1"}')
    lake.write_bytes(f"{layout.raw_tmdb_dir('Movies', date(2026, 11, 26))}/.movies.json.tmp-1", b"{broken")
    lake.write_bytes(f"{layout.trusted_partition(Origin.TMDB, 'Movies', date(2026, 11, 25))}/_SUCCESS", b"")
    return {
        "raw_tmdb_movies": 5,
        "raw_local_movies": 100,
        "raw_local_series": 100,
        "trusted_tmdb_movies": 3,
        "fact_movie": 2,
    }


def snapshot_records(count: int) -> list[dict[str, Any]]:
    """The first ``count`` movies of the packaged snapshot (real TMDB data with credits and keywords)."""
    from cinelake.tmdb.snapshot import load_snapshot

    movies = load_snapshot().movies
    return [movies[i] for i in sorted(movies)[:count]]
