"""`cinelake demo` end to end: the whole chain on the packaged snapshot, offline, then a rerun.

The answers (films and series) are checked against a direct pandas computation of the same definition
on the packaged snapshots, so a join or filter bug anywhere in ingest -> DuckDB engine -> Refined ->
analysis shows up here.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.analysis.test_series import expected_with_pandas

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = REPO / "src" / "cinelake" / "tmdb" / "snapshot" / "movies.jsonl.gz"
DEMO_CSV = REPO / "src" / "cinelake" / "data" / "demo_movies.csv"
GENRES = ("Comedy", "Animation")


def _cinelake(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", COLUMNS="200")
    for var in ("TMDB_READ_ACCESS_TOKEN", "TMDB_API_KEY", "TMDB_BASE_URL", "CINELAKE_LAKE"):
        env.pop(var, None)
    command = [sys.executable, "-m", "cinelake.cli", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)


def _expected() -> dict[str, dict[str, object]]:
    """The definition applied with pandas to the snapshot rows the demo CSV selects."""
    csv = pd.read_csv(DEMO_CSV, sep="|", quoting=3, dtype=str, na_values=["\\N"], keep_default_na=False)
    wanted = csv[csv["genero"].fillna("").str.split(",").apply(lambda gs: bool(set(gs) & set(GENRES)))]
    ids = set(wanted["id"])
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as handle:
        movies = pd.DataFrame([json.loads(line) for line in handle])
    movies = movies[movies["imdb_id"].isin(ids)].copy()
    movies["names"] = movies["genres"].apply(lambda gs: {g["name"] for g in gs or []})
    out: dict[str, dict[str, object]] = {}
    for genre in GENRES:
        films = movies[
            movies["names"].apply(lambda names, g=genre: g in names)
            & (movies["budget"] >= 1000)
            & (movies["revenue"] >= 1000)
            & (movies["vote_count"] >= 100)
        ].copy()
        best = films.sort_values(["vote_average", "vote_count", "id"], ascending=[False, False, True]).head(5)
        worst = films.sort_values(["vote_average", "vote_count", "id"], ascending=[True, False, True]).head(5)
        films["roi"] = films["revenue"] / films["budget"]
        # Spearman's rho as Pearson's r of average ranks (pandas' method="spearman" needs scipy).
        spearman = films[["budget", "revenue", "popularity", "roi"]].rank().corr()
        out[genre] = {
            "eligible": len(films),
            "best": list(best["id"]),
            "worst": list(worst["id"]),
            "budget_revenue": spearman.loc["budget", "revenue"],
            "popularity_roi": spearman.loc["popularity", "roi"],
        }
    return out


def test_demo_answers_match_pandas_and_a_rerun_resumes(tmp_path: Path) -> None:
    first = _cinelake("demo", "--lake", "lake", "--out", "reports", cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Traceback" not in first.stderr
    answer = json.loads((tmp_path / "reports" / "analysis.json").read_text())
    assert (tmp_path / "reports" / "report.html").stat().st_size > 100_000
    assert "not endorsed or certified by TMDB" in first.stdout
    assert "dashboard: cinelake dashboard --lake lake" in first.stdout  # the command that opens it

    for genre, want in _expected().items():
        got = answer["genres"][genre]
        assert got["eligible"] == want["eligible"], genre
        assert [f["tmdb_id"] for f in got["best"]] == want["best"], genre
        assert [f["tmdb_id"] for f in got["worst"]] == want["worst"], genre
        assert got["correlations"]["budget_revenue"] == pytest.approx(want["budget_revenue"])
        assert got["correlations"]["popularity_roi"] == pytest.approx(want["popularity_roi"])

    # The series: discovered by genre on the packaged TV snapshot, answered beside the films.
    series = answer["series"]
    want_series = expected_with_pandas()
    for genre, want in want_series.items():
        got = series["genres"][genre]
        assert got["eligible"] == want["eligible"], genre
        assert [s["tmdb_id"] for s in got["best"]] == want["best"], genre
        assert [s["tmdb_id"] for s in got["worst"]] == want["worst"], genre
        for key, rho in want["rho"].items():
            assert got["correlations"][key] == pytest.approx(rho), (genre, key)
    assert series["source"]["series"] == 42  # the snapshot's Comedy or Animation series
    assert "no budget or revenue" in series["definition"]["money"]
    text = " ".join(first.stdout.split())
    assert f"Comedy series · {want_series['Comedy']['eligible']} eligible" in text
    assert "fact_series 42 rows" in text
    shows = sorted((tmp_path / "lake" / "Raw" / "TMDB" / "JSON" / "Series").rglob("*.json"))
    show_ids = [json.loads(line)["id"] for path in shows for line in path.read_text().splitlines()]
    assert len(show_ids) == len(set(show_ids)) == 42

    # Every Raw file holds at most 100 records and no title twice.
    raw = sorted((tmp_path / "lake" / "Raw" / "TMDB" / "JSON" / "Movies").rglob("*.json"))
    ids = [json.loads(line)["id"] for path in raw for line in path.read_text().splitlines()]
    assert len(ids) == len(set(ids)) and max(len(p.read_text().splitlines()) for p in raw) <= 100

    second = _cinelake("demo", "--lake", "lake", "--out", "reports", cwd=tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    chunks = len(raw)
    assert f"{chunks}/{chunks} chunks already done" in second.stdout
    assert "0 partition(s) written" in second.stdout
    said = " ".join(second.stderr.split())  # the step lines, unwrapped
    assert (
        "series (discover Comedy,Animation): 0 written, 0 not found, 0 failed; 1/1 chunks already done "
        "(42 written, 0 not found)" in said
    )
    again = json.loads((tmp_path / "reports" / "analysis.json").read_text())
    assert again["genres"] == answer["genres"] and again["series"]["genres"] == series["genres"]
    ids_after = [
        json.loads(line)["id"]
        for path in sorted((tmp_path / "lake" / "Raw" / "TMDB" / "JSON" / "Movies").rglob("*.json"))
        for line in path.read_text().splitlines()
    ]
    assert sorted(ids_after) == sorted(ids)
