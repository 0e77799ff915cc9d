"""Build small lakes for the analysis tests: Raw TMDB JSON Lines and Refined Parquet tables.

The Refined tables follow the star schema of ARCHITECTURE.md column for column, written with pyarrow
from the same TMDB detail objects the Raw files hold, so one set of films can be read either way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from cinelake.lake import layout
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake


def movie(
    tmdb_id: int,
    title: str,
    genres: Sequence[str],
    *,
    budget: int | None,
    revenue: int | None,
    vote_average: float | None,
    vote_count: int | None,
    popularity: float | None,
    release_date: str | None = "2001-05-18",
    imdb_id: str | None = None,
) -> dict[str, Any]:
    """A TMDB ``/movie/{id}`` detail object with the fields the analysis reads (and a few it ignores)."""
    ids = {"Action": 28, "Animation": 16, "Comedy": 35, "Drama": 18, "Family": 10751, "Horror": 27}
    return {
        "id": tmdb_id,
        "imdb_id": imdb_id if imdb_id is not None else f"tt{tmdb_id:07d}",
        "title": title,
        "original_title": title,
        "original_language": "en",
        "genres": [{"id": ids[g], "name": g} for g in genres],
        "budget": budget,
        "revenue": revenue,
        "vote_average": vote_average,
        "vote_count": vote_count,
        "popularity": popularity,
        "release_date": release_date,
        "status": "Released",
        "runtime": 95,
        "production_companies": [{"id": 3, "name": "Pixar"}],
    }


def write_raw(
    lake: Lake, movies: Iterable[Mapping[str, Any]], day: date, run: str = "test", chunk: int = 1
) -> str:
    """One Raw TMDB movie file (JSON Lines) for ``day``; returns its lake-relative path."""
    rel = layout.raw_tmdb_file(Kind.MOVIES.value, day, run, chunk)
    body = "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in movies)
    lake.write_bytes(rel, body.encode())
    return rel


def write_refined(
    lake: Lake, movies: Iterable[Mapping[str, Any]], snapshot: date, part: str = "part-00000"
) -> None:
    """The Refined star-schema tables the analysis reads, from TMDB detail objects."""
    import pyarrow as pa

    fact: list[dict[str, Any]] = []
    dim: list[dict[str, Any]] = []
    bridge: list[dict[str, Any]] = []
    genres: dict[int, str] = {}
    for m in movies:
        released = _date(m.get("release_date"))
        budget = m.get("budget") or None
        revenue = m.get("revenue") or None
        fact.append(
            {
                "movie_key": m["id"],
                "release_date_key": int(released.strftime("%Y%m%d")) if released else None,
                "budget": budget,
                "revenue": revenue,
                "profit": revenue - budget if budget and revenue else None,
                "roi": revenue / budget if budget and revenue else None,
                "popularity": m.get("popularity"),
                "vote_average": m.get("vote_average"),
                "vote_count": m.get("vote_count"),
                "runtime": m.get("runtime"),
                "imdb_rating": None,
                "imdb_votes": None,
                "snapshot_date": snapshot,
            }
        )
        dim.append(
            {
                "movie_key": m["id"],
                "tmdb_id": m["id"],
                "imdb_id": m.get("imdb_id") or None,
                "title": m.get("title"),
                "original_title": m.get("original_title"),
                "original_language": m.get("original_language"),
                "release_date": released,
                "release_year": released.year if released else None,
                "status": m.get("status"),
            }
        )
        for g in m.get("genres") or []:
            genres[int(g["id"])] = g["name"]
            bridge.append({"movie_key": m["id"], "genre_key": int(g["id"])})
    schemas = {
        "fact_movie": pa.schema(
            [
                ("movie_key", pa.int64()),
                ("release_date_key", pa.int32()),
                ("budget", pa.int64()),
                ("revenue", pa.int64()),
                ("profit", pa.int64()),
                ("roi", pa.float64()),
                ("popularity", pa.float64()),
                ("vote_average", pa.float64()),
                ("vote_count", pa.int64()),
                ("runtime", pa.int32()),
                ("imdb_rating", pa.float64()),
                ("imdb_votes", pa.int64()),
                ("snapshot_date", pa.date32()),
            ]
        ),
        "dim_movie": pa.schema(
            [
                ("movie_key", pa.int64()),
                ("tmdb_id", pa.int64()),
                ("imdb_id", pa.string()),
                ("title", pa.string()),
                ("original_title", pa.string()),
                ("original_language", pa.string()),
                ("release_date", pa.date32()),
                ("release_year", pa.int32()),
                ("status", pa.string()),
            ]
        ),
        "bridge_movie_genre": pa.schema([("movie_key", pa.int64()), ("genre_key", pa.int64())]),
        "dim_genre": pa.schema([("genre_key", pa.int64()), ("genre_id", pa.int64()), ("name", pa.string())]),
    }
    rows = {
        "fact_movie": fact,
        "dim_movie": dim,
        "bridge_movie_genre": bridge,
        "dim_genre": [{"genre_key": k, "genre_id": k, "name": v} for k, v in sorted(genres.items())],
    }
    from cinelake.tables.registry import refined_table
    from cinelake.tables.store import write_arrow

    for table, schema in schemas.items():
        # Committed as the Refined job commits; a later ``part`` adds its rows to the table's.
        replace = "all" if part == "part-00000" else ()
        data = pa.Table.from_pylist(rows[table], schema=schema)
        write_arrow(lake, refined_table(table), data, replace=replace)


def _date(text: object) -> date | None:
    if not isinstance(text, str) or len(text) < 10:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
