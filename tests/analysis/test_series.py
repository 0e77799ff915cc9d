"""The series answer: `cinelake analyze --kind series|both|movies`, checked against a direct pandas
computation over the packaged TV snapshot, and the pure definition on hand-made rows."""

from __future__ import annotations

import gzip
import json
import math
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from cinelake.analysis import SERIES, analyze
from cinelake.analysis.kinds import SERIES_MIN_VOTES
from cinelake.analysis.model import Record
from cinelake.commands.common import TMDB_NOTICE
from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.store import Lake
from tests.analysis.test_cli import SCHEMA, run, validate
from tests.spark.lakes import jsonl

DAY = date(2026, 11, 26)
SERIES_SCHEMA = {"$defs": SCHEMA["$defs"], "$ref": "#/$defs/series_answer"}


def _tv_snapshot() -> str:
    return str(resources.files("cinelake.tmdb.snapshot").joinpath("tv.jsonl.gz"))


def _write_raw_series(lake: Lake) -> None:
    with gzip.open(_tv_snapshot(), "rt", encoding="utf-8") as handle:
        series = [json.loads(line) for line in handle if line.strip()]
    for start in range(0, len(series), 40):
        lake.write_bytes(
            layout.raw_tmdb_file("Series", DAY, "snapshot", start // 40 + 1),
            jsonl(series[start : start + 40]),
        )


@pytest.fixture(scope="module")
def series_lakes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Lake, Lake]:
    """(the TV snapshot in Raw only, the same through Trusted and Refined on DuckDB)."""
    from cinelake.engines import raw_to_trusted, trusted_to_refined

    raw = Lake(str(tmp_path_factory.mktemp("series-raw")))
    _write_raw_series(raw)
    refined = Lake(str(tmp_path_factory.mktemp("series-refined")))
    _write_raw_series(refined)
    raw_to_trusted(refined, engine="duckdb", catalog="none")
    trusted_to_refined(refined, engine="duckdb", catalog="none")
    return raw, refined


def _spearman(left: Any, right: Any) -> float:
    """Spearman's rho in pandas without scipy: Pearson's r of the average ranks of the known pairs."""
    import pandas as pd

    pairs = pd.DataFrame({"x": left, "y": right}).dropna()
    return float(pairs["x"].rank().corr(pairs["y"].rank()))


def expected_with_pandas(min_votes: int = SERIES_MIN_VOTES, top: int = 5) -> dict[str, Any]:
    """The answer computed directly from the snapshot file with pandas (no cinelake code)."""
    import pandas as pd

    frame = pd.read_json(_tv_snapshot(), lines=True, compression="gzip")
    # TMDB writes 0 for an unknown count: unknown, as in Trusted.
    frame["seasons"] = frame["number_of_seasons"].where(frame["number_of_seasons"] > 0)
    frame["episodes"] = frame["number_of_episodes"].where(frame["number_of_episodes"] > 0)
    answer: dict[str, Any] = {}
    for genre in ("Comedy", "Animation"):
        has = frame["genres"].apply(lambda items, g=genre: g in {i["name"] for i in items})
        eligible = frame[has & (frame["vote_count"] >= min_votes) & frame["vote_average"].notna()]
        order = ["vote_average", "vote_count", "id"]
        best = eligible.sort_values(order, ascending=[False, False, True]).head(top)
        worst = eligible.sort_values(order, ascending=[True, False, True]).head(top)
        pop = eligible["popularity"]
        answer[genre] = {
            "eligible": len(eligible),
            "best": list(best["id"]),
            "worst": list(worst["id"]),
            "best_names": list(best["name"]),
            "best_figures": best[["vote_average", "vote_count", "popularity", "seasons", "episodes"]]
            .astype(float)
            .values.tolist(),
            "median_popularity": (best["popularity"].median(), worst["popularity"].median()),
            "median_seasons": (best["seasons"].median(), worst["seasons"].median()),
            "rho": {
                "popularity_vote_average": _spearman(pop, eligible["vote_average"]),
                "popularity_seasons": _spearman(pop, eligible["seasons"]),
                "popularity_episodes": _spearman(pop, eligible["episodes"]),
            },
        }
    return answer


def _check_against_pandas(document: dict[str, Any], expected: dict[str, Any]) -> None:
    assert list(document["genres"]) == ["Comedy", "Animation"]
    for genre, want in expected.items():
        got = document["genres"][genre]
        assert got["eligible"] == want["eligible"]
        assert [s["tmdb_id"] for s in got["best"]] == want["best"]
        assert [s["tmdb_id"] for s in got["worst"]] == want["worst"]
        assert [s["name"] for s in got["best"]] == want["best_names"]
        figures = [
            [float(s[k]) for k in ("vote_average", "vote_count", "popularity", "seasons", "episodes")]
            for s in got["best"]
        ]
        assert figures == want["best_figures"]
        summary = got["summary"]
        assert (summary["best"]["median_popularity"], summary["worst"]["median_popularity"]) == pytest.approx(
            want["median_popularity"]
        )
        assert (summary["best"]["median_seasons"], summary["worst"]["median_seasons"]) == pytest.approx(
            want["median_seasons"]
        )
        for key, rho in want["rho"].items():
            assert not math.isnan(rho)
            assert got["correlations"][key] == pytest.approx(rho, abs=1e-12), (genre, key)


def test_analyze_series_json_equals_a_direct_pandas_computation(
    series_lakes: tuple[Lake, Lake], capsys: pytest.CaptureFixture[str]
) -> None:
    _, refined = series_lakes
    code, out, _ = run(capsys, "analyze", "--lake", refined.url, "--kind", "series", "--format", "json")
    assert code == 0
    document = json.loads(out)
    import jsonschema

    jsonschema.Draft202012Validator(SERIES_SCHEMA).validate(document)
    expected = expected_with_pandas()
    assert expected["Comedy"]["eligible"] >= 10 and expected["Animation"]["eligible"] >= 10
    _check_against_pandas(document, expected)
    assert document["definition"]["min_votes"] == SERIES_MIN_VOTES == 50
    assert "no budget or revenue" in document["definition"]["money"]
    assert document["source"]["zone"] == "Refined" and document["source"]["series"] == 100
    assert document["notice"] == TMDB_NOTICE
    assert not any("budget" in s or "revenue" in s for g in document["genres"].values() for s in g["best"][0])


def test_the_raw_fallback_gives_the_same_answer(
    series_lakes: tuple[Lake, Lake], capsys: pytest.CaptureFixture[str]
) -> None:
    raw, _ = series_lakes
    argv = ["analyze", "--lake", raw.url, "--kind", "series", "--format", "json", "--min-votes", "100"]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    document = json.loads(out)
    assert document["source"]["zone"] == "Raw"
    _check_against_pandas(document, expected_with_pandas(min_votes=100))


def test_both_puts_the_series_beside_the_films(raw_lake: Lake, capsys: pytest.CaptureFixture[str]) -> None:
    _write_raw_series(raw_lake)
    code, out, _ = run(capsys, "analyze", "--lake", raw_lake.url, "--format", "json")
    assert code == 0
    both = json.loads(out)
    validate(both)
    assert both["definition"]["min_votes"] == 100 and both["series"]["definition"]["min_votes"] == 50
    _check_against_pandas(both["series"], expected_with_pandas())
    code, out, _ = run(capsys, "analyze", "--lake", raw_lake.url, "--format", "json", "--kind", "movies")
    movies = json.loads(out)
    assert "series" not in movies
    both.pop("series")
    assert movies == both  # the films' answer is the same with or without the series beside it


def test_both_on_a_lake_without_series_says_so(raw_lake: Lake, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "analyze", "--lake", raw_lake.url, "--format", "json")
    assert code == 0
    document = json.loads(out)
    validate(document)
    assert document["series"] is None
    code, out, _ = run(capsys, "analyze", "--lake", raw_lake.url)
    assert "the lake holds no TMDB series" in " ".join(out.split())


def test_series_only_on_a_lake_without_series_is_a_usage_error(
    raw_lake: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "analyze", "--lake", raw_lake.url, "--kind", "series")
    assert code == 2 and out == ""
    assert "--kind series" in " ".join(err.split())


def test_table_output_says_tv_has_no_money(
    series_lakes: tuple[Lake, Lake], capsys: pytest.CaptureFixture[str]
) -> None:
    _, refined = series_lakes
    code, out, _ = run(capsys, "analyze", "--lake", refined.url, "--kind", "series")
    assert code == 0
    text = " ".join(out.split())
    assert "Comedy series · 27 eligible" in text and "Animation series · 24 eligible" in text
    assert "Rick and Morty (2013)" in text
    assert "TMDB has no budget or revenue for TV" in text
    assert TMDB_NOTICE in text


def _row(
    tmdb_id: int, vote: float | None, votes: int | None, genres: tuple[str, ...] = ("Comedy",)
) -> Record:
    return SERIES.row_type(tmdb_id, None, f"S{tmdb_id}", 2000, genres, float(tmdb_id), vote, votes, 1, 10)


def test_the_definition_ties_thresholds_and_notes() -> None:
    rows = [
        _row(1, 8.0, 60),
        _row(2, 8.0, 90),  # same vote, more votes: ranks first
        _row(3, 6.0, 49),  # under the default 50 votes
        _row(4, None, 500),  # no vote_average
        _row(5, 7.0, 50),
        _row(6, 9.9, 500, ("Drama",)),
    ]
    answer = analyze(SERIES, rows, genres=["comedy"], top=2)
    comedy = answer.genres["Comedy"]
    assert comedy.eligible == 3
    assert [s.tmdb_id for s in comedy.best] == [2, 1] and [s.tmdb_id for s in comedy.worst] == [5, 2]
    assert any("in both best and worst" in n for n in comedy.notes)
    assert analyze(SERIES, rows, genres=["Comedy"], min_votes=0).genres["Comedy"].eligible == 4
    few = analyze(SERIES, rows[:1], genres=["Comedy"])
    assert few.genres["Comedy"].correlations["popularity_vote_average"] is None
    assert any("at least 3" in n for n in few.genres["Comedy"].notes)


def test_tv_genres_resolve_and_unknown_ones_are_refused() -> None:
    answer = analyze(SERIES, [], genres=["action & adventure"])
    assert list(answer.genres) == ["Action & Adventure"] and answer.genres["Action & Adventure"].eligible == 0
    with pytest.raises(UsageError, match="unknown TV genre 'Sitcom'"):
        analyze(SERIES, [], genres=["Sitcom"])


def test_series_csv_schema_file_is_valid(tmp_path: Path) -> None:
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(SERIES_SCHEMA)


def test_the_pipeline_answers_for_series_only_when_it_can(
    series_lakes: tuple[Lake, Lake], tmp_path: Path
) -> None:
    from cinelake.analysis.answer import answer_if_held

    raw, _ = series_lakes
    answer, why_not = answer_if_held(raw, SERIES, genres=("Comedy",), top=5)
    assert answer is not None and why_not == "" and answer.genres["Comedy"].eligible == 27
    answer, why_not = answer_if_held(raw, SERIES, genres=("Thriller",), top=5)  # a film genre, not a TV one
    assert answer is None and "unknown TV genre 'Thriller'" in why_not
    assert answer_if_held(Lake(str(tmp_path / "films-only")), SERIES, genres=("Comedy",)) == (None, "")


def test_both_with_a_genre_tv_lacks_keeps_the_films_answer(
    raw_lake: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_raw_series(raw_lake)
    code, out, err = run(
        capsys, "analyze", "--lake", raw_lake.url, "--genres", "Thriller", "--format", "json"
    )
    assert code == 0
    document = json.loads(out)
    assert list(document["genres"]) == ["Thriller"] and document["series"] is None
    assert "series: not answered (unknown TV genre 'Thriller'" in " ".join(err.split())
    code, _, err = run(capsys, "analyze", "--lake", raw_lake.url, "--genres", "Thriller", "--kind", "series")
    assert code == 2 and "unknown TV genre 'Thriller'" in " ".join(err.split())


def test_the_reading_names_the_key_the_series_ranked_on() -> None:
    rows = [_row(i, 5.0 + i / 2, 100) for i in range(1, 7)]
    by_votes = analyze(SERIES, rows, genres=["Comedy"], top=2).genres["Comedy"]
    assert "the 2 best by vote_average have a median of 7.8" in SERIES.reading(by_votes, "vote_average")
    by_popularity = analyze(SERIES, rows, genres=["Comedy"], top=2, rank_by="popularity").genres["Comedy"]
    text = SERIES.reading(by_popularity, "popularity")
    assert "the 2 best by popularity have a median vote_average of 7.8" in text
