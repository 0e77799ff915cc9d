"""The dashboard in real headless Chromium over the demo's lake: shared links show the answers of
`cinelake analyze --format json` with the same parameters, the controls (keyboard and mouse) change
the URL and the tables, a title page draws its history table's points, bad parameters are one line
and HTTP 400, and the page fits laptop and phone screens without overlaps or clipping."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from itertools import combinations
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from cinelake.lake.store import Lake
from cinelake.query import connect
from tests.views.conftest import ARTIFACTS, analyze_json, expected_ids, ranked_ids, wait_drawn

pytestmark = pytest.mark.integration

# (the view's query, the same view as `cinelake analyze` flags)
LINKS = [
    (
        "kind=movies&genre=Comedy&genre=Animation&match=all&min_votes=100&n=5&year_from=1990&year_to=2009"
        "&rank_by=vote_average",
        [
            "--kind",
            "movies",
            "--genre",
            "Comedy",
            "--genre",
            "Animation",
            "--match",
            "all",
            "--min-votes",
            "100",
            "--top",
            "5",
            "--year-from",
            "1990",
            "--year-to",
            "2009",
            "--rank-by",
            "vote_average",
        ],
    ),
    (
        "kind=movies&genre=Comedy&genre=Family&genre=Animation&match=any&n=3&rank_by=popularity",
        [
            "--kind",
            "movies",
            "--genre",
            "Comedy",
            "--genre",
            "Family",
            "--genre",
            "Animation",
            "--match",
            "any",
            "--top",
            "3",
            "--rank-by",
            "popularity",
        ],
    ),
    (
        "kind=movies&genre=Animation&n=8&min_votes=500&year_from=2000",
        [
            "--kind",
            "movies",
            "--genre",
            "Animation",
            "--top",
            "8",
            "--min-votes",
            "500",
            "--year-from",
            "2000",
        ],
    ),
    (
        "kind=series&genre=Comedy&genre=Animation&match=any&n=4",
        ["--kind", "series", "--genre", "Comedy", "--genre", "Animation", "--top", "4"],
    ),
    (
        "kind=series&genre=Animation&genre=Comedy&match=all&rank_by=popularity&n=3&min_votes=10",
        [
            "--kind",
            "series",
            "--genre",
            "Animation",
            "--genre",
            "Comedy",
            "--match",
            "all",
            "--rank-by",
            "popularity",
            "--top",
            "3",
            "--min-votes",
            "10",
        ],
    ),
]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.parametrize(("query", "flags"), LINKS, ids=[q[:60] for q, _ in LINKS])
def test_a_shared_link_shows_the_answer_of_analyze(
    page: Any, dashboard_url: str, demo_lake: Lake, query: str, flags: list[str]
) -> None:
    expected = analyze_json(demo_lake, *flags)
    page.goto(f"{dashboard_url}?{query}")
    wait_drawn(page)
    assert ranked_ids(page) == expected_ids(expected)
    (group,) = expected["genres"].values()
    assert page.inner_text("[data-kpi=eligible] .value") == f"{group['eligible']:,}"
    assert page.inner_text("#view-title").startswith(next(iter(expected["genres"])))
    # the data endpoint is the same object as the command's, parameters included
    status, body = _get(f"{dashboard_url}api/answer?{query}")
    assert status == 200 and json.loads(body) == expected
    if "kind=series" in query:
        assert "No money figures" in page.inner_text(".no-money")
        assert page.eval_on_selector("#chart-popularity-vote", "el => el.data.length") >= 1
    else:
        for chart in ("chart-budget-revenue", "chart-roi", "chart-popularity-roi"):
            assert page.eval_on_selector(f"#{chart}", "el => el.data.length") >= 1, chart
    assert "not endorsed or certified by TMDB" in page.inner_text("#tmdb-notice")
    assert page.inner_text("#collection-day") == expected["source"]["snapshot"]
    # The demo lake's TMDB values come from the packaged snapshot: the page says how old they are.
    assert "as of about 2017-08 (films) and 2019-05 (series)" in page.inner_text("#vintage")
    assert not page.errors


def _query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_controls_by_keyboard_and_mouse_change_the_url_and_the_tables(
    page: Any, dashboard_url: str, demo_lake: Lake
) -> None:
    page.goto(f"{dashboard_url}?kind=movies&genre=Comedy&match=any&min_votes=100&n=5&rank_by=vote_average")
    wait_drawn(page)
    # Keyboard: Tab reaches N (every control is in the tab order), a new value and Enter redraw.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "n":
            break
    assert page.evaluate("document.activeElement.id") == "n"
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    wait_drawn(page)
    assert _query(page)["n"] == ["3"]
    assert ranked_ids(page) == expected_ids(
        analyze_json(demo_lake, "--genre", "Comedy", "--top", "3", "--kind", "movies")
    )
    # Keyboard on a select: the next rank key.
    page.focus("#rank_by")
    page.keyboard.press("ArrowDown")
    wait_drawn(page)
    assert _query(page)["rank_by"] == ["vote_count"]
    assert ranked_ids(page) == expected_ids(
        analyze_json(
            demo_lake, "--genre", "Comedy", "--top", "3", "--rank-by", "vote_count", "--kind", "movies"
        )
    )
    # Mouse: a second genre with Ctrl+click, then "all of them".
    page.click("#genre option[value=Animation]", modifiers=["Control"])
    wait_drawn(page)
    assert _query(page)["genre"] == ["Animation", "Comedy"]
    page.click("input[name=match][value=all]")
    wait_drawn(page)
    query = _query(page)
    assert query["match"] == ["all"] and query["genre"] == ["Animation", "Comedy"]
    expected = analyze_json(
        demo_lake,
        "--kind",
        "movies",
        "--genre",
        "Animation",
        "--genre",
        "Comedy",
        "--match",
        "all",
        "--top",
        "3",
        "--rank-by",
        "vote_count",
    )
    assert ranked_ids(page) == expected_ids(expected)
    # The URL is the view: reloading it shows the same rows.
    shown = ranked_ids(page)
    page.reload()
    wait_drawn(page)
    assert ranked_ids(page) == shown
    assert not page.errors
    # A bad value typed in: a one-line message in the page, the URL still says what was asked.
    page.fill("#year_from", "2010")
    page.fill("#year_to", "2000")
    page.keyboard.press("Enter")
    wait_drawn(page)
    assert page.inner_text("#status") == "year_from 2010 is after year_to 2000"
    assert page.is_hidden("#views")
    assert all("status of 400" in error for error in page.errors)  # the browser logs the refused /view


def _history(lake: Lake, tmdb_id: int) -> list[tuple[str, float, int, float]]:
    con = connect(lake)
    try:
        rows = con.execute(
            "SELECT h.snapshot_date, h.popularity, h.vote_count, h.vote_average FROM fact_movie_history h "
            "JOIN dim_movie d ON d.movie_key = h.movie_key WHERE d.tmdb_id = ? ORDER BY h.snapshot_date",
            [tmdb_id],
        ).fetchall()
    finally:
        con.close()
    return [(str(day), float(pop), int(votes), float(vote)) for day, pop, votes, vote in rows]


def test_a_title_page_draws_its_history_table(page: Any, dashboard_url: str, demo_lake: Lake) -> None:
    query = "kind=movies&genre=Comedy&match=any&min_votes=100&n=5&rank_by=vote_average"
    page.goto(f"{dashboard_url}?{query}")
    wait_drawn(page)
    first = page.eval_on_selector("tr[data-rank=B1]", "row => Number(row.dataset.tmdbId)")
    with page.expect_navigation():
        page.click("tr[data-rank=B1] td:nth-child(3)")  # a click on the row, not on its link
    assert urlsplit(page.url).path == f"/title/movies/{first}"
    page.wait_for_function("() => document.querySelector('#history-chart .main-svg') !== null")
    assert page.inner_text("#title-genres") and "Comedy" in page.inner_text("#title-genres")
    # A title collected on both days: the chart's points are the history table's rows.
    con = connect(demo_lake)
    try:
        (tmdb_id,) = con.execute(
            "SELECT d.tmdb_id FROM fact_movie_history h JOIN dim_movie d ON d.movie_key = h.movie_key "
            "GROUP BY d.tmdb_id HAVING count(*) = 2 ORDER BY d.tmdb_id LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    rows = _history(demo_lake, int(tmdb_id))
    assert len(rows) == 2
    page.goto(f"{dashboard_url}title/movies/{tmdb_id}?{query}")
    page.wait_for_function("() => document.querySelector('#history-chart .main-svg') !== null")
    traces = page.eval_on_selector(
        "#history-chart", "el => el.data.map(t => [Array.from(t.x), Array.from(t.y)])"
    )
    days = [day for day, *_ in rows]
    assert [t[0] for t in traces] == [days, days, days]
    assert traces[0][1] == pytest.approx([r[1] for r in rows])
    assert traces[1][1] == [r[2] for r in rows]
    assert traces[2][1] == pytest.approx([r[3] for r in rows])
    assert page.inner_text("#title-parties")
    back = page.get_attribute("header a", "href")
    assert back == f"/?{query}"
    assert not page.errors


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("genre=Sitcom", "unknown genre 'Sitcom': known genres are "),
        ("n=0", "n must be at least 1, not 0"),
        ("n=21", "n must be at most 20, not 21"),
        ("year_from=2009&year_to=1990", "year_from 2009 is after year_to 1990"),
        ("genre=Comedy%27%20OR%201%3D1%20--", 'unknown genre "Comedy\' OR 1=1 --": known genres are '),
        ("genre=Comedy%22%29%3B%20DROP%20TABLE%20dim_movie%3B--", "unknown genre 'Comedy\"); DROP TABLE"),
        ("n=five", "n must be a whole number, not 'five'"),
        ("kind=books", "unknown kind 'books'"),
        ("colour=red", "unknown parameter 'colour'"),
    ],
)
def test_bad_parameters_are_one_line_and_http_400(
    page: Any, dashboard_url: str, query: str, message: str
) -> None:
    for endpoint in ("view", "api/answer"):
        status, body = _get(f"{dashboard_url}{endpoint}?{query}")
        assert status == 400
        error = json.loads(body)["error"]
        assert error.startswith(message) and "\n" not in error and "Traceback" not in error
    response = page.goto(f"{dashboard_url}?{query}")
    assert response.status == 400
    assert page.inner_text("#status").startswith(message)
    assert "Traceback" not in page.content()
    # the lake is untouched: the default view still answers
    assert _get(f"{dashboard_url}api/answer?genre=Comedy")[0] == 200


def _boxes(page: Any, selector: str) -> list[dict[str, float]]:
    return list(
        page.eval_on_selector_all(
            selector,
            "els => els.filter(e => e.offsetParent !== null).map(e => {"
            " const r = e.getBoundingClientRect();"
            " return {name: e.id || e.className || e.tagName, left: r.left + scrollX, top: r.top + scrollY,"
            " right: r.right + scrollX, bottom: r.bottom + scrollY,"
            " scrollW: e.scrollWidth, clientW: e.clientWidth, overflowX: getComputedStyle(e).overflowX}; })",
        )
    )


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"] - 0.5
        and b["left"] < a["right"] - 0.5
        and a["top"] < b["bottom"] - 0.5
        and (b["top"] < a["bottom"] - 0.5)
    )


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
@pytest.mark.parametrize("kind", ["movies", "series"])
def test_the_page_fits_laptop_and_phone_screens(
    browser: Any, dashboard_url: str, width: int, height: int, kind: str
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(f"{dashboard_url}?kind={kind}&genre=Comedy&genre=Animation&match=any&n=5")
        wait_drawn(page)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.plot')].every(p => p.querySelector('.main-svg'))"
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{kind}-{width}.png"), full_page=True)
        inner = page.evaluate("innerWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= inner
        groups = {
            "blocks": "main > header, form#controls, #views > section.card, main > footer",
            "controls": "form#controls > *",
            "tiles": ".tile",
            "charts": "figure.chart",
            "tables": ".table-wrap",
        }
        for name, selector in groups.items():
            boxes = _boxes(page, selector)
            assert boxes, name
            for box in boxes:  # inside the screen: nothing cut at either side
                assert box["left"] >= -0.5 and box["right"] <= inner + 0.5, (name, box)
            for a, b in combinations(boxes, 2):
                assert not _overlap(a, b), (name, a, b)
        # text that does not fit its box is clipped unless the box scrolls (the wide tables do)
        for box in _boxes(
            page, ".tile .value, .tile .label, form#controls label, form#controls legend, h1, h2"
        ):
            assert box["scrollW"] <= box["clientW"] + 1, box
        # every control has a label a screen reader reads
        unlabelled = page.eval_on_selector_all(
            "form#controls input, form#controls select",
            "els => els.filter(e => e.labels.length === 0).map(e => e.name)",
        )
        assert unlabelled == []
    finally:
        context.close()
