"""The loaders: Refined through DuckDB, the Raw fallback, and agreement with a direct pandas computation."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cinelake.analysis import FILMS, NoAnalysisData, analyze_films, budget_vs_revenue, load_titles
from cinelake.errors import LakeError
from cinelake.lake import layout
from cinelake.lake.store import Lake
from tests.analysis.conftest import DAY
from tests.analysis.films import film_rows, hand_checked_movies
from tests.analysis.lakes import movie, write_raw, write_refined

pytestmark = pytest.mark.integration


def _genres_of(lake: Lake, **kwargs: Any) -> dict[str, Any]:
    return budget_vs_revenue(lake, **kwargs).to_dict()["genres"]


def _zone(lake: Lake, **kwargs: Any) -> str:
    source = budget_vs_revenue(lake, **kwargs).source
    assert source is not None
    return source.zone


def test_raw_fallback_gives_the_hand_checked_answer(raw_lake: Lake) -> None:
    analysis = budget_vs_revenue(raw_lake)
    assert analysis.source is not None
    assert analysis.source.zone == "Raw"
    assert analysis.source.titles == len(hand_checked_movies())
    assert analysis.source.snapshot == "2026-11-26"
    expected = analyze_films(film_rows(hand_checked_movies())).to_dict()["genres"]
    assert analysis.to_dict()["genres"] == expected
    assert analysis.to_dict()["source"]["zone"] == "Raw"


def test_refined_gives_the_same_answer_and_wins_over_raw(refined_lake: Lake) -> None:
    expected = analyze_films(film_rows(hand_checked_movies())).to_dict()["genres"]
    assert _zone(refined_lake) == "Refined"
    assert _genres_of(refined_lake) == expected
    write_raw(
        refined_lake,
        [movie(99, "Raw only", ["Comedy"], budget=1, revenue=1, vote_average=1, vote_count=1, popularity=1)],
        DAY,
    )
    assert _zone(refined_lake) == "Refined"
    assert _zone(refined_lake, zone="raw") == "Raw"


def test_memory_lake_is_read_through_fsspec() -> None:
    lake = Lake("memory://analysis-sources")
    try:
        write_refined(lake, hand_checked_movies(), DAY)
        refined = _genres_of(lake)
        write_raw(lake, hand_checked_movies(), DAY)
        assert _genres_of(lake, zone="raw") == refined
        assert [f["tmdb_id"] for f in refined["Comedy"]["best"]] == [11, 10, 12, 15, 24]
    finally:
        lake.delete("")


def test_the_newest_raw_day_wins_and_bookkeeping_is_ignored(raw_lake: Lake) -> None:
    # Alpha (id 10) is re-ingested a day later with a poor score: it moves from best to worst.
    later = movie(
        10,
        "Alpha",
        ["Comedy"],
        budget=10_000_000,
        revenue=40_000_000,
        vote_average=1.0,
        vote_count=500,
        popularity=20.0,
    )
    write_raw(raw_lake, [later], date(2026, 11, 27), run="later")
    # An older copy must not win either.
    older = movie(
        10,
        "Alpha",
        ["Comedy"],
        budget=10_000_000,
        revenue=40_000_000,
        vote_average=9.9,
        vote_count=9999,
        popularity=20.0,
    )
    write_raw(raw_lake, [older], date(2026, 11, 20), run="older")
    folder = layout.raw_tmdb_dir("Movies", DAY)
    raw_lake.write_bytes(f"{folder}/.movies-test-00003.json.tmp-1", b"{not json")
    raw_lake.write_bytes(f"{layout.run_dir('test')}/manifest.json", b"{not json")
    analysis = budget_vs_revenue(raw_lake)
    comedy = analysis.genres["Comedy"]
    assert [f.tmdb_id for f in comedy.best] == [11, 12, 15, 24, 13]
    assert comedy.worst[0].tmdb_id == 10
    assert analysis.source is not None and analysis.source.snapshot == "2026-11-27"


def test_the_newest_refined_snapshot_wins(refined_lake: Lake) -> None:
    update = movie(
        12,
        "Charlie",
        ["Comedy"],
        budget=5_000_000,
        revenue=50_000_000,
        vote_average=2.0,
        vote_count=500,
        popularity=30.0,
    )
    write_refined(refined_lake, [update], date(2026, 11, 27), part="part-00001")
    comedy = budget_vs_revenue(refined_lake).genres["Comedy"]
    assert 12 not in [f.tmdb_id for f in comedy.best]
    assert comedy.worst[0].tmdb_id == 12


def test_an_empty_lake_is_a_clear_usage_error(tmp_path: Path) -> None:
    with pytest.raises(
        NoAnalysisData, match="holds neither the Refined tables nor Raw TMDB movies"
    ) as caught:
        budget_vs_revenue(Lake(str(tmp_path / "empty")))
    assert caught.value.exit_code == 2
    with pytest.raises(NoAnalysisData, match="has no Refined table"):
        load_titles(Lake(str(tmp_path / "empty")), FILMS, zone="refined")


def test_an_unreadable_raw_file_is_one_clear_line(raw_lake: Lake) -> None:
    raw_lake.write_bytes(layout.raw_tmdb_file("Movies", DAY, "broken", 1), b'{"id": 1}\n{broken\n')
    with pytest.raises(LakeError, match="cannot read the Raw TMDB movies") as caught:
        budget_vs_revenue(raw_lake)
    assert "\n" not in str(caught.value)


# --- real data: the packaged snapshot -------------------------------------------------------------


def _pandas_answer(movies: list[dict[str, Any]], genre: str, top: int, min_votes: int) -> dict[str, Any]:
    """The definition computed directly with pandas from the TMDB objects (an independent check)."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "tmdb_id": m["id"],
            "genres": [g["name"] for g in m.get("genres") or []],
            "budget": m.get("budget"),
            "revenue": m.get("revenue"),
            "vote_average": m.get("vote_average"),
            "vote_count": m.get("vote_count"),
            "popularity": m.get("popularity"),
        }
        for m in movies
    )
    frame = frame[frame["genres"].apply(lambda names: genre in names)]
    frame = frame[(frame["budget"] >= 1000) & (frame["revenue"] >= 1000) & (frame["vote_count"] >= min_votes)]
    frame = frame[frame["vote_average"].notna()].copy()
    frame["roi"] = frame["revenue"] / frame["budget"]
    best = frame.sort_values(["vote_average", "vote_count", "tmdb_id"], ascending=[False, False, True]).head(
        top
    )
    worst = frame.sort_values(["vote_average", "vote_count", "tmdb_id"], ascending=[True, False, True]).head(
        top
    )
    ranked = frame[["budget", "revenue", "popularity", "roi", "vote_average"]].corr(method="spearman")
    return {
        "eligible": len(frame),
        "best": best["tmdb_id"].tolist(),
        "worst": worst["tmdb_id"].tolist(),
        "best_median_roi": float(best["roi"].median()),
        "worst_median_roi": float(worst["roi"].median()),
        "best_total_budget": int(best["budget"].sum()),
        "worst_total_revenue": int(worst["revenue"].sum()),
        "best_median_popularity": float(best["popularity"].median()),
        "budget_revenue": float(ranked.loc["budget", "revenue"]),
        "popularity_roi": float(ranked.loc["popularity", "roi"]),
        "popularity_vote_average": float(ranked.loc["popularity", "vote_average"]),
    }


@pytest.mark.parametrize("zone", ["refined", "raw"])
def test_snapshot_answer_equals_a_direct_pandas_computation(
    snapshot_lake: Lake, snapshot_movies: list[dict[str, Any]], zone: str
) -> None:
    analysis = budget_vs_revenue(snapshot_lake, zone="raw" if zone == "raw" else "refined")
    assert analysis.source is not None and analysis.source.titles == len({m["id"] for m in snapshot_movies})
    for genre in ("Comedy", "Animation"):
        got = analysis.genres[genre]
        want = _pandas_answer(snapshot_movies, genre, 5, 100)
        assert got.eligible == want["eligible"] > 5
        assert [f.tmdb_id for f in got.best] == want["best"]
        assert [f.tmdb_id for f in got.worst] == want["worst"]
        assert got.best_summary.median_roi == pytest.approx(want["best_median_roi"])
        assert got.worst_summary.median_roi == pytest.approx(want["worst_median_roi"])
        assert got.best_summary.total_budget == want["best_total_budget"]
        assert got.worst_summary.total_revenue == want["worst_total_revenue"]
        assert got.best_summary.median_popularity == pytest.approx(want["best_median_popularity"])
        for key in ("budget_revenue", "popularity_roi", "popularity_vote_average"):
            assert got.correlations[key] == pytest.approx(want[key], abs=1e-9), key


@pytest.mark.parametrize("zone", ["refined", "raw"])
def test_a_film_without_title_shows_its_original_title(tmp_path: Path, zone: str) -> None:
    film = movie(
        7, "", ["Comedy"], budget=2_000, revenue=9_000, vote_average=7.0, vote_count=300, popularity=1.0
    )
    film["original_title"] = "Vals Im Bashir"
    lake = Lake(str(tmp_path / "lake"))
    (write_refined if zone == "refined" else write_raw)(lake, [film], DAY)
    loaded = load_titles(lake, FILMS, zone="refined" if zone == "refined" else "raw")
    assert [r.title for r in loaded.rows] == ["Vals Im Bashir"]


def test_refined_is_read_even_when_the_catalog_was_crawled_before_it(raw_lake: Lake) -> None:
    from cinelake.catalog.crawler import crawl

    crawl(raw_lake)  # a persisted catalog that knows only the Raw tables
    write_refined(raw_lake, hand_checked_movies(), DAY)
    analysis = budget_vs_revenue(raw_lake)
    assert analysis.source is not None and analysis.source.zone == "Refined"
    assert analysis.to_dict()["genres"] == analyze_films(film_rows(hand_checked_movies())).to_dict()["genres"]
    crawl(raw_lake)  # now the catalog lists the Refined tables too, and its views are used
    assert budget_vs_revenue(raw_lake).to_dict()["genres"] == analysis.to_dict()["genres"]
