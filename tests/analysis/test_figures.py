"""Every figure the report and the dashboard build is written as the dict plotly.js takes (see
cinelake.analysis.plotting); plotly's own classes, which reject an unknown or ill-typed property, must
accept each one, so the hand-written dicts cannot drift from what plotly.js understands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import plotly.io
import pytest

from cinelake.analysis import FILMS, SERIES
from cinelake.analysis.answer import answer
from cinelake.analysis.kinds import TitleKind
from cinelake.analysis.plotting import PLOTLY_DIR, PLOTLY_JS
from cinelake.analysis.titles import HistoryPoint, TitleDetails
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from cinelake.views.dashboard.render import history_figure
from tests.analysis.test_series import _write_raw_series


@pytest.fixture(scope="module")
def series_raw_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    lake = Lake(str(tmp_path_factory.mktemp("series-raw")))
    _write_raw_series(lake)
    return lake


def _built(kind: TitleKind, lake: Lake) -> dict[str, dict[str, Any]]:
    analysis = answer(lake, kind)
    return {
        f"{kind.key} {genre} {chart.key}": chart.build(result)
        for genre, result in analysis.genres.items()
        if result.eligible
        for chart in kind.charts
    }


def _details() -> TitleDetails:
    days = ("2026-11-26", "2026-11-27", "2026-11-28")
    points = tuple(HistoryPoint(day, 10.5 + i, 100 * (i + 1), 7.0) for i, day in enumerate(days))
    return TitleDetails(Kind.MOVIES, 10, {"title": "Alpha"}, ("Comedy",), (), "cast", points)


def _history() -> dict[str, Any]:
    return history_figure(_details())


def test_every_chart_of_every_kind_is_a_figure_plotly_accepts(raw_lake: Lake, series_raw_lake: Lake) -> None:
    figures = {**_built(FILMS, raw_lake), **_built(SERIES, series_raw_lake), "history": _history()}
    assert len(figures) == 2 * len(FILMS.charts) + 2 * len(SERIES.charts) + 1  # Comedy and Animation each
    for name, fig in figures.items():
        checked = go.Figure(fig)  # raises ValueError on a property plotly does not know
        assert len(checked.data) == len(fig["data"]), name
        assert checked.layout.template.layout.plot_bgcolor == "white", name  # drawn on plotly_white


def test_a_property_plotly_does_not_know_is_rejected(raw_lake: Lake) -> None:
    fig = next(iter(_built(FILMS, raw_lake).values()))
    fig["data"][0]["markr"] = {"size": 3}
    with pytest.raises(ValueError, match="markr"):
        go.Figure(fig)


def test_the_history_panels_are_plotly_s_own_subplots() -> None:
    """The three stacked panels match plotly's make_subplots of the same rows, titles and spacing."""
    from plotly.subplots import make_subplots

    ours = _history()
    theirs = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=("popularity", "votes", "vote average"),
    )
    theirs.update_xaxes(type="category")
    expected = theirs.to_plotly_json()["layout"]
    for axis in ("xaxis", "xaxis2", "xaxis3", "yaxis", "yaxis2", "yaxis3"):
        mine, plotlys = dict(ours["layout"][axis]), dict(expected[axis])
        assert mine.pop("domain") == pytest.approx(plotlys.pop("domain")), axis
        assert mine == plotlys, axis
    assert [a["y"] for a in ours["layout"]["annotations"]] == pytest.approx(
        [a["y"] for a in expected["annotations"]]
    )


def test_the_shipped_plotly_js_and_template_are_the_dev_plotly_s() -> None:
    """plotly.js and the plotly_white template ship in the package: the same as the plotly the tests
    check the figures with, so the figures are drawn by the version that accepted them."""
    package_data = Path(plotly.__file__).parent / "package_data"
    assert PLOTLY_JS.read_bytes() == (package_data / "plotly.min.js").read_bytes()
    shipped = (PLOTLY_DIR / "plotly_white.json").read_bytes()
    assert shipped == (package_data / "templates" / "plotly_white.json").read_bytes()
    assert plotly.io.templates["plotly_white"].layout.plot_bgcolor == "white"
    assert "MIT License" in (PLOTLY_DIR / "LICENSE.txt").read_text(encoding="utf-8")


def test_the_report_and_the_dashboard_draw_without_plotly_s_python_package(
    raw_lake: Lake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain install has no plotly package: nothing that draws may import it."""
    import sys

    from cinelake.analysis.report import report
    from cinelake.views.dashboard.render import title_page

    for name in [n for n in sys.modules if n == "plotly" or n.startswith("plotly.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "plotly", None)
    page = report(raw_lake, tmp_path, answer(raw_lake, FILMS)).read_text(encoding="utf-8")
    assert page.count('class="plotly-graph-div"') == 2 * len(FILMS.charts)
    assert PLOTLY_JS.read_text(encoding="utf-8")[:200] in page  # plotly.js inlined from the package
    title = title_page(_details(), "movies", "")
    assert "Alpha" in title and '"history-chart":{"data":[{"type":"scatter"' in title
