"""Build the packaged TMDB snapshot and the demo CSV from ../shared/data (run once; the output is committed).

    .venv/bin/python scripts/build_snapshot.py [--data ../shared/data]

Writes:
- src/cinelake/tmdb/snapshot/movies.jsonl.gz: one TMDB ``/movie/{id}`` detail object per line, with the
  ``credits``, ``keywords`` and ``external_ids`` appends where the sources have them;
- src/cinelake/tmdb/snapshot/genres.json: the real ``/genre/movie/list`` response;
- src/cinelake/data/demo_movies.csv: the challenge's pipe-separated movies file for the same titles.

Every field comes from a source file; a field the sources lack stays absent (see snapshot/SOURCE.md).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import math
import random
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from cinelake.tmdb.snapshot import record_vintage

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT_DIR = REPO / "src" / "cinelake" / "tmdb" / "snapshot"
DATA_DIR = REPO / "src" / "cinelake" / "data"

# The 24-column copies of movies_metadata: an empty belongs_to_collection there means "none" (null).
FULL_ROW_SOURCES = ("aploetz", "machado", "netbhatia", "gianpierre97")
DEMO_OTHER_TITLES = 300
DEMO_MISSING_IDS = 10
DEMO_MAX_ARTISTS = 3
DEMO_SEED = 2026
CSV_HEADER = [
    "id", "tituloPincipal", "tituloOriginal", "anoLancamento", "tempoMinutos", "genero", "notaMedia",
    "numeroVotos", "generoArtista", "personagem", "nomeArtista", "anoNascimento", "anoFalecimento",
    "profissao",
    "titulosMaisConhecidos",
]  # fmt: skip
NULL = "\\N"


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded as cp1252 once ("Andyâ€™s" -> "Andy’s"); keep anything else as is."""
    if not any(marker in text for marker in ("â€", "Ã", "Â")):
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return not (isinstance(value, str) and value.strip() == "")


def split_pipe(value: Any) -> list[str]:
    if not present(value):
        return []
    return [repair_mojibake(part.strip()) for part in str(value).split("|") if part.strip()]


def release_date(month_day_year: str, year: int) -> str:
    """``M/D/YY`` plus the four-digit ``release_year`` (the two-digit year is ambiguous) -> ``YYYY-MM-DD``."""
    month, day, _ = month_day_year.split("/")
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def load_sources(data: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, Any]]]:
    udacity = pd.read_csv(data / "tmdb_10k_udacity" / "tmdb-movies.csv.gz", dtype={"imdb_id": str})
    udacity = udacity.drop_duplicates(subset="id", keep="first")
    merged = pd.read_csv(
        data / "movies_metadata" / "movies_tmdb_fields_merged.csv.gz", dtype=str, keep_default_na=False
    )
    merged["id"] = merged["id"].astype(int)
    genres = json.loads(
        (data / "tmdb_api_samples" / "jdrouet_tmdb-api" / "genre-movie-list.json").read_text()
    )["genres"]
    return udacity, merged.set_index("id"), genres


def detail_object(row: Any, meta: dict[str, str] | None, genre_ids: dict[str, int]) -> dict[str, Any]:
    """One TMDB /movie/{id} object (keys in TMDB's order) from a tmdb_10k row and its movies_metadata row."""
    movie_id = int(row.id)
    imdb_id = row.imdb_id if present(row.imdb_id) else (meta or {}).get("imdb_id") or None
    obj: dict[str, Any] = {}
    if meta and present(meta.get("belongs_to_collection")):
        obj["belongs_to_collection"] = orjson.loads(meta["belongs_to_collection"])
    elif meta and meta.get("source", "").startswith(FULL_ROW_SOURCES):
        obj["belongs_to_collection"] = None
    obj["budget"] = int(row.budget)
    obj["genres"] = [
        {"id": genre_ids[name], "name": name} for name in split_pipe(row.genres) if name in genre_ids
    ]
    if present(row.homepage):
        obj["homepage"] = str(row.homepage)
    obj["id"] = movie_id
    if imdb_id:
        obj["imdb_id"] = imdb_id
    if meta and present(meta.get("original_language")):
        obj["original_language"] = meta["original_language"]
    obj["original_title"] = repair_mojibake(str(row.original_title))
    if present(row.overview):
        obj["overview"] = repair_mojibake(str(row.overview))
    obj["popularity"] = float(row.popularity)
    if present(row.production_companies):
        obj["production_companies"] = [{"name": name} for name in split_pipe(row.production_companies)]
    for key in ("production_countries",):
        if meta and present(meta.get(key)):
            obj[key] = orjson.loads(meta[key])
    obj["release_date"] = release_date(str(row.release_date), int(row.release_year))
    obj["revenue"] = int(row.revenue)
    obj["runtime"] = int(row.runtime)
    if meta and present(meta.get("spoken_languages")):
        obj["spoken_languages"] = orjson.loads(meta["spoken_languages"])
    if meta and present(meta.get("status")):
        obj["status"] = meta["status"]
    if present(row.tagline):
        obj["tagline"] = repair_mojibake(str(row.tagline))
    # TMDB always has a title: movies_metadata's where the join finds one, else tmdb_10k's original_title
    # (equal to movies_metadata's title for 5,388 of the 5,510 movies both have; the others are mostly the
    # title in the original language, "Trois couleurs : Bleu" for "Three Colors: Blue").
    if meta and present(meta.get("title")):
        obj["title"] = meta["title"]
    else:
        obj["title"] = obj["original_title"]
    obj["vote_average"] = float(row.vote_average)
    obj["vote_count"] = int(row.vote_count)
    # The appends (append_to_response) the sources can fill.
    cast = split_pipe(row.cast)
    directors = split_pipe(row.director)
    if cast or directors:
        obj["credits"] = {
            "id": movie_id,
            "cast": [{"name": name, "order": order} for order, name in enumerate(cast)],
            "crew": [{"department": "Directing", "job": "Director", "name": name} for name in directors],
        }
    keywords = split_pipe(row.keywords)
    if keywords:
        obj["keywords"] = {"id": movie_id, "keywords": [{"name": name} for name in keywords]}
    if imdb_id:
        obj["external_ids"] = {"id": movie_id, "imdb_id": imdb_id}
    return obj


def build_snapshot(data: Path) -> list[dict[str, Any]]:
    udacity, merged, genres = load_sources(data)
    genre_ids = {g["name"]: int(g["id"]) for g in genres}
    movies = []
    for row in udacity.sort_values("id").itertuples(index=False):
        meta = merged.loc[row.id].to_dict() if row.id in merged.index else None
        movies.append(detail_object(row, meta, genre_ids))
    SNAPSHOT_DIR.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as gz:
        for movie in movies:
            gz.write(orjson.dumps(movie) + b"\n")
    (SNAPSHOT_DIR / "movies.jsonl.gz").write_bytes(buffer.getvalue())
    (SNAPSHOT_DIR / "genres.json").write_bytes(
        orjson.dumps({"genres": genres}, option=orjson.OPT_INDENT_2) + b"\n"
    )
    newest = max(d for d in merged["release_date"] if d[:4].isdigit() and len(d) == 10)
    basis = "the newest release_date in movies_metadata (values were read from TMDB about then)"
    record_vintage(SNAPSHOT_DIR, "movies", newest, basis)
    return movies


def csv_field(value: Any) -> str:
    """A field of the challenge's format: it has no quoting, so no separator or line break may appear."""
    if not present(value):
        return NULL
    return str(value).replace("|", "/").replace("\r", " ").replace("\n", " ")


def missing_titles(data: Path, known_imdb: set[str]) -> list[list[str]]:
    """Real IMDB ids from MovieLens that the snapshot lacks (Comedy/Animation, so the demo asks for them)."""
    links = pd.read_csv(data / "movielens_ml-latest-small" / "links.csv", dtype=str)
    names = pd.read_csv(data / "movielens_ml-latest-small" / "movies.csv", dtype=str)
    joined = links.merge(names, on="movieId")
    joined["imdb"] = "tt" + joined["imdbId"]
    joined = joined[~joined["imdb"].isin(known_imdb) & joined["genres"].str.contains("Comedy|Animation")]
    rows = []
    for item in joined.sort_values("imdb").head(DEMO_MISSING_IDS).itertuples(index=False):
        title = str(item.title).strip()
        year = NULL
        if title.endswith(")") and title[-6:-5] == "(" and title[-5:-1].isdigit():
            year, title = title[-5:-1], title[:-6].strip()
        genero = ",".join(str(item.genres).split("|"))
        rows.append([item.imdb, title, title, year, NULL, genero] + [NULL] * 9)
    return rows


def build_demo_csv(data: Path, movies: list[dict[str, Any]]) -> tuple[int, int, int]:
    with_imdb = [m for m in movies if m.get("imdb_id")]
    wanted = [m for m in with_imdb if {g["name"] for g in m["genres"]} & {"Comedy", "Animation"}]
    others = [m for m in with_imdb if m not in wanted]
    chosen = wanted + random.Random(DEMO_SEED).sample(others, DEMO_OTHER_TITLES)
    rows: list[list[str]] = []
    for movie in chosen:
        title = movie.get("title") or movie["original_title"]
        runtime = movie["runtime"] or None
        genero = ",".join(g["name"] for g in movie["genres"]) or None
        head = [movie["imdb_id"], title, movie["original_title"], movie["release_date"][:4], runtime, genero]
        head += [None, None, None, None]  # notaMedia, numeroVotos, generoArtista, personagem
        artists = [c["name"] for c in movie.get("credits", {}).get("cast", [])][:DEMO_MAX_ARTISTS] or [None]
        for artist in artists:
            rows.append([csv_field(v) for v in [*head, artist, None, None, None, None]])
    rows += missing_titles(data, {m["imdb_id"] for m in with_imdb})
    rows.sort(key=lambda r: r[0])
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with (DATA_DIR / "demo_movies.csv").open("w", encoding="utf-8", newline="") as out:
        # Written by hand: the format has no quoting, so a csv.writer would escape what must stay as is.
        out.write("|".join(CSV_HEADER) + "\n")
        out.writelines("|".join(row) + "\n" for row in rows)
    return len(wanted), DEMO_OTHER_TITLES, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=REPO.parent / "shared" / "data", help="the shared data folder"
    )
    args = parser.parse_args()
    movies = build_snapshot(args.data)
    wanted, others, rows = build_demo_csv(args.data, movies)
    size = (SNAPSHOT_DIR / "movies.jsonl.gz").stat().st_size
    print(f"snapshot: {len(movies)} movies, {size:,} bytes gzipped")
    print(
        f"demo CSV: {wanted} Comedy/Animation titles + {others} others + {DEMO_MISSING_IDS} unknown ids, "
        f"{rows} rows"
    )


if __name__ == "__main__":
    main()
