"""The HTML report: self-contained, and drawn by a real browser (headless Chromium) without errors."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from cinelake.analysis import budget_vs_revenue
from cinelake.analysis.report import report
from cinelake.commands.common import TMDB_NOTICE
from cinelake.lake.store import Lake
from tests.analysis.browser import CHART_STATE_JS, chromium_page, find_chromium

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "analysis"

# Resources the page loaded from anywhere but the file itself (a CDN would show up here).
EXTERNAL_RESOURCES_JS = """
performance.getEntriesByType('resource').map(e => e.name)
  .filter(n => !n.startsWith('file:') && !n.startsWith('data:') && !n.startsWith('blob:'))
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = find_chromium()
    if binary is None:
        pytest.skip("no chromium binary on PATH (Debian: apt-get install chromium; scripts/system-deps.sh)")
    return binary


def test_the_page_is_self_contained(raw_lake: Lake, tmp_path: Path) -> None:
    page = report(raw_lake, tmp_path).read_text(encoding="utf-8")
    assert page.count("<script>") >= 1 and "Plotly" in page
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", page)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert TMDB_NOTICE in page
    assert "Freshness of the data" in page and "Raw/TMDB/JSON/Movies" in page
    assert "budget &gt;= 1,000 and revenue &gt;= 1,000" in page  # the definition is on the page
    assert page.count('class="plotly-graph-div"') == 6  # 3 charts for each of the 2 genres


def _open(chromium: str, path: Path, shots: str) -> dict[str, Any]:
    """Open the page at laptop and phone sizes; return what the browser saw."""
    with chromium_page(chromium) as page:
        page.viewport(1280, 900)
        page.open(path.as_uri())
        charts = page.evaluate(CHART_STATE_JS)
        external = page.evaluate(EXTERNAL_RESOURCES_JS)
        page.screenshot(ARTIFACTS / f"{shots}-desktop.png")
        page.viewport(390, 844, mobile=True, scale=2)
        time.sleep(0.5)  # let Plotly's responsive resize run
        phone_charts = page.evaluate(CHART_STATE_JS)
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        page.screenshot(ARTIFACTS / f"{shots}-phone.png")
        return {
            "charts": charts,
            "phone_charts": phone_charts,
            "widths": widths,
            "external": external,
            "errors": list(page.errors),
        }


def _check_charts(charts: list[dict[str, Any]], expected_ids: list[str]) -> None:
    assert [c["id"] for c in charts] == expected_ids
    for chart in charts:
        assert chart["drawn"], chart
        assert chart["marks"] > 0, chart
        assert chart["width"] > 200 and chart["height"] > 200, chart


def test_report_is_drawn_in_headless_chromium(chromium: str, refined_lake: Lake, tmp_path: Path) -> None:
    analysis = budget_vs_revenue(refined_lake, genres=["Comedy", "Animation", "Western"])
    path = report(refined_lake, tmp_path, analysis=analysis)
    seen = _open(chromium, path, "report-hand-checked")
    assert seen["errors"] == []
    assert seen["external"] == []
    ids = [
        f"chart-{g}-{kind}"
        for g in ("comedy", "animation")
        for kind in ("budget-revenue", "roi", "popularity-roi")
    ]
    _check_charts(seen["charts"], ids)  # Western has no eligible film: a note, no chart
    _check_charts(seen["phone_charts"], ids)
    by_id = {c["id"]: c for c in seen["charts"]}
    # Best and worst are labelled: 9 eligible Comedy films, 5 + 5 labels (film 24 in both groups).
    assert by_id["chart-comedy-budget-revenue"]["labels"] == 10
    assert by_id["chart-animation-popularity-roi"]["labels"] == 4
    scroll_width, viewport_width = seen["widths"]
    assert scroll_width <= viewport_width  # nothing wider than a phone screen
    page = path.read_text(encoding="utf-8")
    assert "no Western film is eligible" in page


def test_report_on_the_packaged_snapshot(chromium: str, snapshot_lake: Lake, tmp_path: Path) -> None:
    path = report(snapshot_lake, tmp_path)
    seen = _open(chromium, path, "report-snapshot")
    assert seen["errors"] == [] and seen["external"] == []
    ids = [
        f"chart-{g}-{kind}"
        for g in ("comedy", "animation")
        for kind in ("budget-revenue", "roi", "popularity-roi")
    ]
    _check_charts(seen["charts"], ids)
    by_id = {c["id"]: c for c in seen["charts"]}
    assert by_id["chart-comedy-budget-revenue"]["marks"] > 500  # every eligible Comedy film is a point
    assert by_id["chart-comedy-roi"]["marks"] == 10
    assert (ARTIFACTS / "report-snapshot-desktop.png").stat().st_size > 10_000


SERIES_TABLE_JS = """
Array.from(document.querySelectorAll('section.series-genre')).map(s => [
  s.id, s.querySelectorAll('table.series tbody tr.best').length,
  s.querySelectorAll('table.series tbody tr.worst').length,
  s.querySelector('table.series tbody tr.best td.title').textContent])
"""


def test_the_series_section_is_drawn_in_headless_chromium(
    chromium: str, refined_lake: Lake, tmp_path: Path
) -> None:
    """Films and series on one page: the series' popularity-vs-vote charts with the best and worst
    labelled, their tables, and the note that TV has no budget or revenue."""
    from cinelake.analysis import SERIES, answer
    from tests.analysis.test_series import _write_raw_series

    _write_raw_series(refined_lake)  # the packaged TV snapshot, read from Raw
    series = answer(refined_lake, SERIES)
    path = report(refined_lake, tmp_path, analysis=budget_vs_revenue(refined_lake), series=series)
    with chromium_page(chromium) as page:
        page.viewport(1280, 900)
        page.open(path.as_uri())
        charts = page.evaluate(CHART_STATE_JS)
        tables = page.evaluate(SERIES_TABLE_JS)
        page.screenshot(ARTIFACTS / "report-series-desktop.png")
        page.viewport(390, 844, mobile=True, scale=2)
        time.sleep(0.5)
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        errors = list(page.errors)
    assert errors == []
    films = [
        f"chart-{g}-{k}" for g in ("comedy", "animation") for k in ("budget-revenue", "roi", "popularity-roi")
    ]
    shows = ["chart-series-comedy-popularity-vote", "chart-series-animation-popularity-vote"]
    _check_charts(charts, films + shows)
    by_id = {c["id"]: c for c in charts}
    comedy, animation = series.genres["Comedy"], series.genres["Animation"]
    assert by_id[shows[0]]["labels"] == 10 and by_id[shows[1]]["labels"] == 10  # B1..B5, W1..W5
    assert by_id[shows[0]]["marks"] == comedy.eligible == 27
    assert by_id[shows[1]]["marks"] == animation.eligible == 24
    assert tables == [
        ["series-comedy", 5, 5, comedy.best[0].name],
        ["series-animation", 5, 5, animation.best[0].name],
    ]
    assert widths[0] <= widths[1]
    page_text = path.read_text(encoding="utf-8")
    assert "TMDB&#x27;s TV endpoints have no budget or revenue" in page_text
    assert "Film and series data" in " ".join(page_text.split())
