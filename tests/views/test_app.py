"""The dashboard's app without a browser: a lake that cannot be read is one line (HTTP 503), never a
stack trace; the view's parameters round-trip through the URL query; the app only answers GET."""

from __future__ import annotations

import html
import itertools
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from starlette.testclient import TestClient

from cinelake.analysis import FILMS
from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.store import Lake
from cinelake.views.dashboard import create_app
from cinelake.views.dashboard.params import ViewParams, parse_view
from tests.analysis.films import hand_checked_movies
from tests.analysis.lakes import write_refined


def test_a_view_round_trips_through_its_query() -> None:
    view = ViewParams(
        kind="series",
        genres=("Comedy", "Animation"),
        match="all",
        min_votes=7,
        n=3,
        year_from=1990,
        year_to=2009,
        rank_by="popularity",
    )

    assert parse_view(parse_qs(view.query())) == view
    assert parse_view({}) == ViewParams()
    assert parse_view({"kind": ["series"]}).min_votes == 50  # the series' default threshold


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"rank_by": ["roi"], "kind": ["series"]},
            "unknown rank_by 'roi': choose one of vote_average, popularity",
        ),
        ({"match": ["most"]}, "unknown match 'most'"),
        ({"n": ["5", "6"]}, "n is given 2 times"),
        ({"min_votes": ["-3"]}, "min_votes cannot be negative (-3)"),
        ({"year_to": ["99999999999"]}, "year_to must be a whole number"),
    ],
)
def test_bad_parameters_are_one_line(query: dict[str, list[str]], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_view(query)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("broken", "said"),
    [
        (".parquet", "No magic bytes found at end of file"),  # the data files of the table's snapshot
        (
            "",
            f"cannot read the Iceberg table cinelake.{FILMS.queries.refined_tables[0]}: ",
        ),  # its metadata too
    ],
)
def test_a_lake_that_cannot_be_read_is_one_line_not_a_stack_trace(
    tmp_path: Path, broken: str, said: str
) -> None:
    lake = Lake(str(tmp_path / "lake"))
    write_refined(lake, hand_checked_movies(), date(2026, 11, 26))
    for rel in lake.list_files(layout.refined_table(FILMS.queries.refined_tables[0])):
        if rel.endswith(broken):
            lake.write_bytes(rel, b"this is not parquet")
    with TestClient(create_app(lake), raise_server_exceptions=False) as client:
        page = client.get("/?genre=Comedy")
        data = client.get("/view?genre=Comedy")
        refused = client.post("/view?genre=Comedy")
    assert page.status_code == 503 and data.status_code == 503
    message = data.json()["error"]
    assert message.startswith("the lake cannot be read: ") and said in message
    assert "\n" not in message
    assert html.escape(message, quote=True) in page.text and "Traceback" not in page.text
    assert refused.status_code == 405  # read-only: GET alone


def test_the_answer_endpoint_is_the_analysis_of_the_rows(tmp_path: Path) -> None:
    from cinelake.analysis import budget_vs_revenue

    lake = Lake(str(tmp_path / "lake"))
    write_refined(lake, hand_checked_movies(), date(2026, 11, 26))
    with TestClient(create_app(lake)) as client:
        answer = client.get("/api/answer?genre=Comedy&genre=Animation&match=all&n=2&min_votes=0").json()
    expected = budget_vs_revenue(lake, genres=["Comedy", "Animation"], match="all", top=2, min_votes=0)
    assert answer == expected.to_dict()


def test_charts_of_a_large_genre_show_the_best_the_worst_and_an_even_sample() -> None:
    from cinelake.analysis import analyze_films
    from cinelake.views.dashboard.render import CHART_POINTS, for_charts

    rows = [
        FILMS.row_type(
            i, None, f"F{i}", 2000, ("Comedy",), 10_000 + i, 20_000 + 3 * i, float(i % 97), (i % 89) / 10, 500
        )
        for i in range(1, 3 * CHART_POINTS)
    ]
    result = analyze_films(rows, genres=["Comedy"], top=5, chart_points=CHART_POINTS).genres["Comedy"]
    note = for_charts(result, "films")
    ids = [f.tmdb_id for f in result.titles]
    assert len(ids) == CHART_POINTS and ids == sorted(set(ids))
    assert {f.tmdb_id for f in (*result.best, *result.worst)} <= set(ids)
    assert f"show {CHART_POINTS - 10:,} of the {result.eligible - 10:,} other eligible films" in note
    assert max(b - a for a, b in itertools.pairwise(ids)) <= 4  # evenly spread, no gap
    everything = analyze_films(rows, genres=["Comedy"], top=5).genres["Comedy"]
    assert len(everything.titles) == everything.eligible == len(rows)  # the report draws them all
    assert everything.to_dict() == result.to_dict()  # the sample changes no figure
    small = analyze_films(rows[:50], genres=["Comedy"], top=5, chart_points=CHART_POINTS).genres["Comedy"]
    assert len(small.titles) == small.eligible and for_charts(small, "films") == ""


def test_the_rows_are_read_again_after_the_refresh_time(tmp_path: Path) -> None:
    from cinelake.views.dashboard.data import LakeAnswers
    from tests.analysis.lakes import movie

    lake = Lake(str(tmp_path / "lake"))
    write_refined(lake, hand_checked_movies(), date(2026, 11, 26))
    view = parse_view({"genre": ["Comedy"], "min_votes": ["0"]})
    kept = LakeAnswers(lake, refresh_seconds=3600)
    fresh = LakeAnswers(lake, refresh_seconds=0)
    before = kept.answer(view).genres["Comedy"].eligible
    assert fresh.answer(view).genres["Comedy"].eligible == before
    added = movie(99, "A new comedy", ["Comedy"], budget=5_000, revenue=9_000, vote_average=6.0,
                  vote_count=10, popularity=1.0)  # fmt: skip
    write_refined(lake, [*hand_checked_movies(), added], date(2026, 11, 27))
    assert fresh.answer(view).genres["Comedy"].eligible == before + 1
    assert kept.answer(view).genres["Comedy"].eligible == before
    assert fresh.source("movies").snapshot == "2026-11-27"
