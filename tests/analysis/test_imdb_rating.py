"""``--rank-by imdb_rating``: IMDB's rating and votes from the challenge's real CSV rows, through the
DuckDB transforms to the Refined facts, ranked by the one analysis and checked against the CSV itself."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cinelake.cli import main
from cinelake.lake import layout
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from tests.analysis.lakes import movie

pytestmark = pytest.mark.integration

DAY = date(2026, 11, 26)
CSV_ONLY = "tt0000009"  # a real CSV title no TMDB record names: in dim_movie with source csv


def csv_ratings(path: Path) -> dict[str, tuple[float | None, int | None]]:
    """Each IMDB id's rating and votes, read straight from the pipe-separated CSV (\\N is null)."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="|", quoting=csv.QUOTE_NONE))

    def value(text: str, kind: type) -> Any:
        return None if text == r"\N" else kind(text)

    return {r["id"]: (value(r["notaMedia"], float), value(r["numeroVotos"], int)) for r in rows}


def tv(tmdb_id: int, imdb_id: str, votes: int) -> dict[str, Any]:
    """A TMDB ``/tv/{id}`` detail object with the fields the transforms read."""
    return {
        "id": tmdb_id,
        "name": f"Show {tmdb_id}",
        "original_name": f"Show {tmdb_id}",
        "original_language": "en",
        "first_air_date": "2001-01-01",
        "genres": [{"id": 18, "name": "Drama"}],
        "vote_average": 6.0 + tmdb_id % 3,
        "vote_count": votes,
        "popularity": float(tmdb_id % 50),
        "number_of_seasons": 2,
        "number_of_episodes": 20,
        "external_ids": {"imdb_id": imdb_id},
    }


@pytest.fixture(scope="module")
def rated(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Lake, dict[str, Any]]:
    """A lake whose TMDB films and series are the CSVs' titles (but one), one TMDB film the CSV lacks,
    run Raw -> Trusted -> Refined on DuckDB."""
    from cinelake.engines import raw_to_trusted, trusted_to_refined

    lake = Lake(str(tmp_path_factory.mktemp("imdb") / "lake"))
    compass = real_data / "compass_uol_sample"
    films = csv_ratings(compass / "movies_subset_1.csv") | csv_ratings(compass / "movies_subset_2.csv")
    shows = csv_ratings(compass / "series_subset.csv")
    film_ids = {imdb: 1000 + i for i, imdb in enumerate(sorted(films)) if imdb != CSV_ONLY}
    show_ids = {imdb: 5000 + i for i, imdb in enumerate(sorted(shows))}
    records = [
        movie(
            tmdb, f"Film {tmdb}", ["Drama"], budget=10_000 * (tmdb % 7 + 1), revenue=30_000, vote_average=6.5,
            vote_count=500, popularity=float(tmdb % 40), imdb_id=imdb,
        )
        for imdb, tmdb in film_ids.items()
    ]  # fmt: skip
    records.append(
        movie(999, "No CSV row", ["Drama"], budget=5_000, revenue=9_000, vote_average=9.9, vote_count=900,
              popularity=1.0, imdb_id="tt9999999")
    )  # fmt: skip
    lake.write_bytes(layout.raw_tmdb_file("Movies", DAY, "run", 1), _jsonl(records))
    series = [tv(tmdb, imdb, 300) for imdb, tmdb in show_ids.items()]
    lake.write_bytes(layout.raw_tmdb_file("Series", DAY, "run", 1), _jsonl(series))
    for name in ("movies_subset_1.csv", "movies_subset_2.csv"):
        lake.copy_in(compass / name, layout.raw_local_csv_file(Kind.MOVIES, DAY, name))
    lake.copy_in(compass / "series_subset.csv", layout.raw_local_csv_file(Kind.SERIES, DAY, "series.csv"))
    raw_to_trusted(lake, engine="duckdb")
    trusted_to_refined(lake, engine="duckdb")
    return lake, {"films": (films, film_ids), "series": (shows, show_ids)}


def validate(document: dict[str, Any], kind: str) -> None:
    """``document`` against the published JSON Schema of its kind's answer."""
    import jsonschema

    schema = json.loads((Path(__file__).parent / "analysis.schema.json").read_text())
    if kind == "series":
        schema = {"$defs": schema["$defs"], "$ref": "#/$defs/series_answer"}
    jsonschema.Draft202012Validator(schema).validate(document)


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def analyze_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any] | None, str]:
    code = 0
    try:
        main(["analyze", "--format", "json", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


def expected(
    ratings: dict[str, Any], ids: dict[str, int], min_votes: int, top: int
) -> tuple[list[int], list[int]]:
    """The best and worst TMDB ids by the CSV's rating (votes >= min_votes), tie-broken on the CSV's
    votes descending, then TMDB id ascending: computed here from the CSV alone."""
    eligible = [
        (rating, votes, ids[imdb])
        for imdb, (rating, votes) in ratings.items()
        if imdb in ids and rating is not None and votes is not None and votes >= min_votes
    ]
    best = sorted(eligible, key=lambda e: (-e[0], -e[1], e[2]))[:top]
    worst = sorted(eligible, key=lambda e: (e[0], -e[1], e[2]))[:top]
    return [e[2] for e in best], [e[2] for e in worst]


@pytest.mark.parametrize(("kind", "key", "min_votes"), [("movies", "films", 20), ("series", "series", 50)])
def test_rank_by_imdb_rating_equals_the_csvs_own_values(
    rated: tuple[Lake, dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    kind: str,
    key: str,
    min_votes: int,
) -> None:
    lake, truth = rated
    ratings, ids = truth[key]
    code, document, err = analyze_json(
        capsys, "--lake", lake.url, "--kind", kind, "--genres", "Drama", "--rank-by", "imdb_rating",
        "--min-votes", str(min_votes), "--top", "3",
    )  # fmt: skip
    assert code == 0, err
    assert document is not None
    drama = document["genres"]["Drama"]
    best, worst = expected(ratings, ids, min_votes, 3)
    assert drama["eligible"] >= 3 and len(best) == 3 and best != worst
    assert [t["tmdb_id"] for t in drama["best"]] == best and [t["tmdb_id"] for t in drama["worst"]] == worst
    assert drama["eligible"] == len(
        [1 for imdb, (r, v) in ratings.items() if imdb in ids and r and v >= min_votes]
    )
    by_id = {tmdb: ratings[imdb] for imdb, tmdb in ids.items()}
    for row in drama["best"] + drama["worst"]:
        assert (row["imdb_rating"], row["imdb_votes"]) == by_id[row["tmdb_id"]]
        assert row["imdb_votes"] >= min_votes  # --min-votes counts IMDB's votes, not TMDB's
    validate(document, kind)
    definition = document["definition"]
    assert definition["rank_by"] == "imdb_rating" and "imdb_rating" in definition
    assert "imdb_votes >= " in definition["eligible"]


def test_csv_only_titles_and_titles_without_a_csv_row_are_not_ranked(
    rated: tuple[Lake, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    lake, _ = rated
    code, document, err = analyze_json(
        capsys, "--lake", lake.url, "--kind", "movies", "--genres", "Drama", "--rank-by", "imdb_rating",
        "--min-votes", "0", "--top", "20",
    )  # fmt: skip
    assert code == 0, err
    assert document is not None
    ranked = {t["tmdb_id"] for g in ("best", "worst") for t in document["genres"]["Drama"][g]}
    assert 999 not in ranked  # TMDB's film the CSV does not rate
    assert all(isinstance(i, int) and i > 0 for i in ranked)  # no CSV-only title (it has no TMDB id)
    # The same lake's TMDB answers still hold the unrated film.
    code, by_votes, err = analyze_json(capsys, "--lake", lake.url, "--kind", "movies", "--genres", "Drama")
    assert code == 0 and by_votes is not None
    assert by_votes["genres"]["Drama"]["best"][0]["tmdb_id"] == 999
    assert "imdb_rating" not in by_votes["genres"]["Drama"]["best"][0]  # the answer's fields are unchanged


def test_a_lake_without_imdb_ratings_refuses_in_one_line(
    refined_lake: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = analyze_json(
        capsys, "--lake", refined_lake.url, "--kind", "movies", "--rank-by", "imdb_rating"
    )
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "holds no imdb_rating" in lines[0] and "vote_average" in lines[0]


def test_the_dashboard_offers_the_imdb_rating_where_the_lake_has_it(
    rated: tuple[Lake, dict[str, Any]], refined_lake: Lake
) -> None:
    from starlette.testclient import TestClient

    from cinelake.views.dashboard import create_app

    option = '<option value="imdb_rating"'
    with TestClient(create_app(rated[0])) as client:
        page = client.get("/?kind=series&genre=Drama&min_votes=50&rank_by=imdb_rating")
        assert page.status_code == 200 and option in page.text
        answer = client.get("/api/answer?kind=series&genre=Drama&min_votes=50&rank_by=imdb_rating&n=3")
        assert [t["tmdb_id"] for t in answer.json()["genres"]["Drama"]["best"]] == expected(
            *rated[1]["series"], 50, 3
        )[0]
        view = client.get("/view?kind=series&genre=Drama&rank_by=imdb_rating").json()["html"]
        assert 'data-tmdb-id="' in view and "<th>IMDb rating</th>" in view
    with TestClient(create_app(refined_lake)) as client:
        page = client.get("/?genre=Comedy")
        assert page.status_code == 200 and option not in page.text and '<option value="roi"' in page.text
        refused = client.get("/api/answer?genre=Comedy&rank_by=imdb_rating")
        assert refused.status_code == 400 and "holds no imdb_rating" in refused.json()["error"]
