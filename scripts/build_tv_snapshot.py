"""Build the packaged TMDB TV snapshot from ../shared/data/tmdb_tv_samples (run once; output committed).

    .venv/bin/python scripts/build_tv_snapshot.py [--data ../shared/data]

Writes:
- src/cinelake/tmdb/snapshot/tv.jsonl.gz: one TMDB ``/tv/{id}`` object per line, sorted by id, each
  exactly as the sample holds it (no field added, none changed);
- src/cinelake/tmdb/snapshot/genres_tv.json: the genres those series carry, as ``/genre/tv/list`` lists
  genres (``{"genres": [{"id", "name"}]}``), ordered by name.

The sample has no ``external_ids``, ``credits`` or ``keywords``; they stay absent (see snapshot/SOURCE.md).
"""

from __future__ import annotations

import argparse
import gzip
import io
from pathlib import Path
from typing import Any

import orjson

from cinelake.tmdb.snapshot import record_vintage

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT_DIR = REPO / "src" / "cinelake" / "tmdb" / "snapshot"
SAMPLE = Path("tmdb_tv_samples") / "tv_details.jsonl"


def load_series(data: Path) -> list[dict[str, Any]]:
    """The sample's series, one per TMDB id (the first copy wins), sorted by id."""
    series: dict[int, dict[str, Any]] = {}
    for line in (data / SAMPLE).read_bytes().splitlines():
        if line.strip():
            record = orjson.loads(line)
            series.setdefault(int(record["id"]), record)
    return [series[i] for i in sorted(series)]


def genre_list(series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every (id, name) pair the series carry; one name per id is required, else the build stops."""
    names: dict[int, str] = {}
    for record in series:
        for genre in record.get("genres") or ():
            known = names.setdefault(int(genre["id"]), str(genre["name"]))
            if known != genre["name"]:
                raise SystemExit(f"genre {genre['id']} has two names: {known!r} and {genre['name']!r}")
    return [{"id": gid, "name": name} for gid, name in sorted(names.items(), key=lambda kv: kv[1])]


def build(data: Path) -> tuple[int, int, int]:
    series = load_series(data)
    genres = genre_list(series)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as gz:
        for record in series:
            gz.write(orjson.dumps(record) + b"\n")
    SNAPSHOT_DIR.mkdir(parents=True, exist_ok=True)
    (SNAPSHOT_DIR / "tv.jsonl.gz").write_bytes(buffer.getvalue())
    (SNAPSHOT_DIR / "genres_tv.json").write_bytes(
        orjson.dumps({"genres": genres}, option=orjson.OPT_INDENT_2) + b"\n"
    )
    newest = max(str(r.get("last_air_date") or "") for r in series)
    basis = "the newest last_air_date of the sample's series (values were read from TMDB about then)"
    record_vintage(SNAPSHOT_DIR, "series", newest, basis)
    return len(series), len(genres), len(buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=REPO.parent / "shared" / "data", help="the shared data folder"
    )
    args = parser.parse_args()
    count, genres, size = build(args.data)
    print(f"TV snapshot: {count} series, {genres} genres, {size:,} bytes gzipped")


if __name__ == "__main__":
    main()
