"""The people of the challenge's CSVs: a seeded generator of large CSVs in the challenge's format and
the independent computation (plain Python over the Raw CSV files) the Refined people tables must equal.

The computation reads the Raw CSV files as text, as the challenge describes them ('|'-separated, no
quoting, ``\\N`` for null, one row per title and artist), and applies the Refined rules: each title's
rows come from its latest day; a person is a (name, birth year) with a name; a bridge row is each
(title, person, category, character) once; a person's professions are every profession their rows
give, and their death year the largest.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cinelake.lake import layout
from cinelake.lake.layout import Format, Kind, Origin, Zone
from cinelake.lake.store import Lake
from cinelake.transform.namekey import name_key
from tests.spark.lakes import LOCAL_HEADER

PEOPLE_TABLES = ("dim_person", "bridge_movie_person", "bridge_series_person", "bridge_person_known_for")

SERIES_HEADER = LOCAL_HEADER.replace("|anoLancamento|", "|anoLancamento|anoTermino|")
NULL = "\\N"
CATEGORIES = ("actor", "actress", "director", "writer", "producer", "self")
PROFESSIONS = ("actor", "actress", "director", "writer", "producer", "soundtrack", "composer", "editor")
GENRES = ("Comedy", "Drama", "Animation", "Action", "Romance", "Horror", "Sci-Fi", "Documentary")
FIRST = ("Ana", "João", "Marie", "Chen", "Olu", "Sven", "Zoë", "Ravi", "Ingrid", "Kenji", "Lúcia", "Omar")
LAST = ("Silva", "Müller", "Okafor", "Nakamura", "Dubois", "García", "O'Brien", "Kowalski", "Haddad")


def generated_imdb_id(number: int) -> str:
    """An IMDB id far above the real ones (10 digits), so generated titles never meet real titles."""
    return f"tt{9_100_000_000 + number}"


def generate_csv(
    path: Path, *, seed: int, rows: int, series: bool = False, lake_ids: tuple[str, ...] = ()
) -> None:
    """A challenge-format CSV of ``rows`` data rows: titles of 1 to 12 artists drawn from a pool of
    people who recur across titles (the same name with two birth years, unknown birth years, repeated
    rows, unknown characters and categories, non-ASCII names); ``lake_ids`` are IMDB ids the lake's
    TMDB data holds: some titles use them, and known-for lists mention them."""
    rng = random.Random(seed)
    people = []
    for number in range(max(rows // 4, 10)):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {number % 997}"
        born = NULL if rng.random() < 0.1 else str(rng.randint(1900, 2005))
        people.append((name, born))
    people += [(people[0][0], "1950"), (people[0][0], NULL)]  # one name, three people
    lines = [SERIES_HEADER if series else LOCAL_HEADER]
    title = 0
    while len(lines) - 1 < rows:
        title += 1
        use_lake = lake_ids and rng.random() < 0.05
        imdb = rng.choice(lake_ids) if use_lake else generated_imdb_id(title + (500_000 if series else 0))
        year = rng.randint(1920, 2024)
        fields = [imdb, f"Title {title}", f"Original {title}", str(year)]
        if series:
            fields.append(NULL if rng.random() < 0.3 else str(year + rng.randint(0, 15)))
        fields += [
            str(rng.randint(20, 200)),
            ",".join(rng.sample(GENRES, rng.randint(1, 3))),
            f"{rng.randint(10, 99) / 10}",
            str(rng.randint(5, 2_000_000)),
        ]
        for _ in range(rng.randint(1, 12)):
            name, born = rng.choice(people)
            died = NULL if rng.random() < 0.7 else str(rng.randint(1960, 2025))
            character = NULL if rng.random() < 0.4 else f"Role {rng.randint(1, 50)}"
            category = NULL if rng.random() < 0.02 else rng.choice(CATEGORIES)
            professions = (
                NULL if rng.random() < 0.05 else ",".join(rng.sample(PROFESSIONS, rng.randint(1, 3)))
            )
            known = [generated_imdb_id(rng.randint(1, rows // 6)) for _ in range(rng.randint(0, 3))]
            if lake_ids and rng.random() < 0.2:
                known.append(rng.choice(lake_ids))
            row = [*fields, category, character, name, born, died, professions, ",".join(known) or NULL]
            lines.append("|".join(row))
            if rng.random() < 0.03:
                lines.append("|".join(row))  # the same row twice
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class Expected:
    """What the Refined people tables must hold, computed from the Raw files alone."""

    persons: dict[tuple[str, int | None], tuple[int | None, tuple[str, ...]]] = field(default_factory=dict)
    bridges: dict[Kind, set[tuple[str, str, int | None, str | None, str | None]]] = field(
        default_factory=lambda: {Kind.MOVIES: set(), Kind.SERIES: set()}
    )
    known_for: set[tuple[str, int | None, str]] = field(default_factory=set)
    csv_ids: dict[Kind, set[str]] = field(default_factory=lambda: {Kind.MOVIES: set(), Kind.SERIES: set()})
    tmdb_ids: dict[Kind, set[str]] = field(default_factory=lambda: {Kind.MOVIES: set(), Kind.SERIES: set()})

    def person_key(self, name: str, born: int | None) -> int:
        """The key of ``name|birth_year`` (an unknown year empty), as both engines compute it."""
        return name_key(f"{name}|{'' if born is None else born}")


def _value(text: str) -> str | None:
    return None if text == NULL else text


def _number(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _split(text: str | None) -> list[str]:
    return [part.strip(" ") for part in (text or "").split(",") if part.strip(" ")]


def _csv_days(lake: Lake, kind: Kind) -> dict[str, date]:
    """Each Raw CSV file of ``kind`` (lake-relative) and its day."""
    base = layout.dataset_dir(Zone.RAW, Origin.LOCAL, Format.CSV, kind.value)
    found = {}
    for rel in lake.list_files(base):
        if rel.endswith(".csv"):
            found[rel] = layout.parse_raw_file(rel).day
    return found


def expected_people(lake: Lake) -> Expected:
    """The people tables' rows from the lake's Raw CSV (and, for the title sources, Raw TMDB) files."""
    out = Expected()
    professions: dict[tuple[str, int | None], set[str]] = defaultdict(set)
    deaths: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    for kind in (Kind.MOVIES, Kind.SERIES):
        rows_by_day: dict[tuple[str, date], list[list[str]]] = defaultdict(list)
        for rel, day in _csv_days(lake, kind).items():
            text = lake.read_bytes(rel).decode("utf-8-sig").replace("\r\n", "\n")
            header, *lines = text.splitlines()
            columns = header.split("|")
            for line in lines:
                values = dict(zip(columns, line.split("|"), strict=True))
                imdb = values["id"].strip(" ")
                if imdb.startswith("tt"):
                    rows_by_day[(imdb, day)].append([values[c] for c in columns])
                    out.csv_ids[kind].add(imdb)
        latest: dict[str, date] = {}
        for imdb, day in rows_by_day:
            latest[imdb] = max(day, latest.get(imdb, day))
        position = {c: n for n, c in enumerate(columns)} if rows_by_day else {}
        for (imdb, day), rows in rows_by_day.items():
            if latest[imdb] != day:
                continue
            for row in rows:
                name = _value(row[position["nomeArtista"]])
                if name is None:
                    continue
                born = _number(row[position["anoNascimento"]])
                person = (name, born)
                professions[person].update(_split(_value(row[position["profissao"]])))
                died = _number(row[position["anoFalecimento"]])
                deaths[person] += [] if died is None else [died]
                category = _value(row[position["generoArtista"]])
                character = _value(row[position["personagem"]])
                out.bridges[kind].add((imdb, name, born, category, character))
                for known in _split(_value(row[position["titulosMaisConhecidos"]])):
                    out.known_for.add((name, born, known))
    for person, found in professions.items():
        out.persons[person] = (max(deaths[person], default=None), tuple(sorted(found)))
    for kind, spec in ((Kind.MOVIES, "Movies"), (Kind.SERIES, "Series")):
        # Each TMDB id's IMDB id from its latest record (latest day, then last file).
        latest_record: dict[int, tuple[date, str, str]] = {}
        base = layout.dataset_dir(Zone.RAW, Origin.TMDB, Format.JSON, spec)
        for rel in lake.list_files(base):
            day = layout.parse_raw_file(rel).day
            for line in lake.read_bytes(rel).decode("utf-8").splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if record.get("id") is None:
                    continue
                imdb = (
                    record.get("imdb_id") or (record.get("external_ids") or {}).get("imdb_id") or ""
                ).strip()
                seen = latest_record.get(record["id"])
                if seen is None or (day, rel) >= seen[:2]:
                    latest_record[record["id"]] = (day, rel, imdb)
        out.tmdb_ids[kind] = {imdb for _, _, imdb in latest_record.values() if imdb}
    return out


def sql(lake: Lake, query: str) -> list[tuple[Any, ...]]:
    """DuckDB SQL where ``{table}`` names a Refined table of ``lake``, read at its current snapshot."""
    import duckdb

    from cinelake.tables.reading import load_iceberg, scan_sql
    from cinelake.tables.registry import refined_table
    from cinelake.tables.store import load

    def scan(name: str) -> str:
        found = load(lake, refined_table(name))
        assert found is not None, name
        return scan_sql(found)

    text = re.sub(r"\{([a-z_]+)\}", lambda m: scan(m[1]), query)
    with duckdb.connect() as con:
        load_iceberg(con)
        return con.execute(text).fetchall()


def assert_people_match(lake: Lake, want: Expected) -> None:
    """Every people table against the independent computation, row for row."""
    persons = sql(lake, "SELECT person_key, name, birth_year, death_year, professions FROM {dim_person}")
    assert len(persons) == len(want.persons) > 0
    assert {(n, b): (d, tuple(p)) for _, n, b, d, p in persons} == want.persons
    assert all(key == want.person_key(name, born) for key, name, born, *_ in persons)
    for kind, bridge, dim, key in (
        (Kind.MOVIES, "bridge_movie_person", "dim_movie", "movie_key"),
        (Kind.SERIES, "bridge_series_person", "dim_series", "series_key"),
    ):
        rows = sql(
            lake,
            f"SELECT d.imdb_id, p.name, p.birth_year, b.category, b.character, b.professions = p.professions "
            f"FROM {{{bridge}}} b JOIN {{{dim}}} d USING ({key}) JOIN {{dim_person}} p USING (person_key)",
        )
        assert len(rows) == len(want.bridges[kind]), bridge
        assert {r[:5] for r in rows} == want.bridges[kind], bridge
        assert all(r[5] for r in rows), bridge
    known = sql(
        lake,
        "SELECT p.name, p.birth_year, k.imdb_id, k.movie_key, k.series_key, m.imdb_id, s.imdb_id "
        "FROM {bridge_person_known_for} k JOIN {dim_person} p USING (person_key) "
        "LEFT JOIN {dim_movie} m USING (movie_key) LEFT JOIN {dim_series} s USING (series_key)",
    )
    assert len(known) == len(want.known_for) and {r[:3] for r in known} == want.known_for
    in_lake = want.csv_ids[Kind.MOVIES] | want.tmdb_ids[Kind.MOVIES]
    # A known-for title carries its key exactly when the lake has that IMDB id.
    assert all((movie is not None) == (imdb in in_lake) for _, _, imdb, movie, _, _, _ in known)
    assert all(movie is None or found == imdb for _, _, imdb, movie, _, found, _ in known)
    assert all(series is None or found == imdb for _, _, imdb, _, series, _, found in known)
    for kind, dim in ((Kind.MOVIES, "dim_movie"), (Kind.SERIES, "dim_series")):
        sources = dict(sql(lake, f"SELECT source, list(imdb_id) FROM {{{dim}}} GROUP BY 1"))
        assert set(sources.get("csv", [])) == want.csv_ids[kind] - want.tmdb_ids[kind], dim
        assert set(sources.get("both", [])) == want.csv_ids[kind] & want.tmdb_ids[kind], dim
