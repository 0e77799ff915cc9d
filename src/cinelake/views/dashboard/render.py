"""The dashboard's HTML, rendered on the server: the page shell with its controls, the view (KPI tiles,
the best/worst table, the report's charts), and a title's page. Charts travel as Plotly JSON that
``assets/dashboard.js`` draws with the plotly.js the package ships, so a page loaded from a link and a
page redrawn after a control change show the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from cinelake.analysis.freshness import Freshness, vintage_sentence
from cinelake.analysis.kinds import TitleKind, cell_text
from cinelake.analysis.model import Analysis, GenreResult, Source
from cinelake.analysis.plotting import Figure, figure, script_json, stacked
from cinelake.analysis.report import summary_table, titles_table
from cinelake.analysis.report_html import e, fmt
from cinelake.analysis.titles import TitleDetails
from cinelake.attribution import TMDB_NOTICE
from cinelake.views.dashboard.params import KIND_WORDS, RANK_KEYS, RANK_LABELS, ViewParams

ASSETS = "/assets"
# Past this many points a scatter is a blot and a slow page: the charts then show the best, the worst
# and an even sample of the other eligible titles (the figures use all of them).
CHART_POINTS = 2000


def _charts_script(charts: dict[str, Figure], element_id: str = "charts-data") -> str:
    text = script_json(charts)
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def _chart_div(chart_id: str, label: str, css: str = "chart") -> str:
    plot = f'<div id="{chart_id}" class="plot" role="img" aria-label="{e(label)}"></div>'
    return f'<figure class="{css}">{plot}</figure>'


# --- the page shell --------------------------------------------------------------------------------


def page(title: str, body: str, *, script: bool = True) -> str:
    """A whole page: the stylesheet and (with ``script``) plotly.js and the dashboard's script, all
    served by the app itself (no CDN, no web font)."""
    scripts = (
        f'<script src="{ASSETS}/plotly.min.js" defer></script>'
        f'<script src="{ASSETS}/dashboard.js" defer></script>'
        if script
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<link rel="stylesheet" href="{ASSETS}/dashboard.css">
{scripts}
</head>
<body>
<main>
{body}
<footer><p class="notice" id="tmdb-notice">{e(TMDB_NOTICE)}</p></footer>
</main>
</body>
</html>"""


def dashboard_page(
    view: ViewParams,
    genres: Sequence[str],
    content: str,
    charts: dict[str, dict[str, Any]],
    freshness_html: str,
    rank_keys: Sequence[str] | None = None,
) -> str:
    """The dashboard: header with the data's freshness, the controls for ``view``, then ``content``."""
    body = f"""<header><h1>cinelake dashboard</h1>{freshness_html}</header>
{controls(view, genres, rank_keys)}
<p id="status" role="status" aria-live="polite"></p>
<div id="views" data-query="{e(view.query())}">{content}{_charts_script(charts)}</div>"""
    return page("cinelake dashboard", body)


def error_page(message: str, view_query: str = "") -> str:
    """A page that says one line of what went wrong, and how to get back."""
    back = f'<p><a href="/?{e(view_query)}">Back to the dashboard</a></p>' if view_query else ""
    body = (
        "<header><h1>cinelake dashboard</h1></header>"
        f'<p id="status" class="error" role="alert">{e(message)}</p>{back}'
        '<p><a href="/">Open the default view</a></p>'
    )
    return page("cinelake dashboard: error", body, script=False)


def controls(view: ViewParams, genres: Sequence[str], rank_keys: Sequence[str] | None = None) -> str:
    """The form whose fields are the URL query: it works without script (Apply submits it), and the
    script redraws on every change. ``rank_keys`` are what the lake's titles of the view's kind may rank
    on (default: every key of the kind)."""

    def radio(name: str, value: str, label: str, checked: bool) -> str:
        mark = " checked" if checked else ""
        field = f'<input type="radio" name="{name}" value="{value}"{mark}>'
        return f'<label class="choice">{field} {e(label)}</label>'

    kinds = "".join(radio("kind", k, KIND_WORDS[k], view.kind == k) for k in KIND_WORDS)
    matches = radio("match", "any", "any of them", view.match == "any") + radio(
        "match", "all", "all of them", view.match == "all"
    )
    chosen = {g.casefold() for g in view.genres}
    options = "".join(
        f'<option value="{e(g)}"{" selected" if g.casefold() in chosen else ""}>{e(g)}</option>'
        for g in genres
    )
    ranks = "".join(
        f'<option value="{k}"{" selected" if k == view.rank_by else ""}>{e(RANK_LABELS.get(k, k))}</option>'
        for k in (RANK_KEYS[view.kind] if rank_keys is None else rank_keys)
    )

    def number(name: str, label: str, value: int | None, low: int, high: int) -> str:
        shown = "" if value is None else str(value)
        return (
            f'<div class="field"><label for="{name}">{e(label)}</label>'
            f'<input id="{name}" name="{name}" type="number" inputmode="numeric" min="{low}" max="{high}" '
            f'value="{shown}"></div>'
        )

    return f"""<form id="controls" method="get" action="/" aria-label="What to show">
<fieldset class="field"><legend>Kind</legend>{kinds}</fieldset>
<div class="field genres"><label for="genre">Genres</label>
<select id="genre" name="genre" multiple size="6" aria-describedby="genre-help">{options}</select>
<small id="genre-help">Ctrl or Shift selects several.</small></div>
<fieldset class="field"><legend>A title has</legend>{matches}</fieldset>
{number("year_from", "Year from", view.year_from, 1870, 2100)}
{number("year_to", "Year to", view.year_to, 1870, 2100)}
{number("min_votes", "Minimum votes", view.min_votes, 0, 10_000_000)}
{number("n", "Best and worst N", view.n, 1, 20)}
<div class="field"><label for="rank_by">Rank by</label>
<select id="rank_by" name="rank_by">{ranks}</select></div>
<div class="field apply"><button type="submit">Apply</button></div>
</form>"""


def freshness_line(source: Source | None, facts: Freshness | None) -> str:
    """When the data was collected: the newest collection day of the answer's rows, the dates of the
    lake's datasets, and (for the packaged offline snapshot) the values' own date."""
    parts = []
    if source is not None:
        day = source.snapshot or "unknown"
        parts.append(
            f'Data collected <strong id="collection-day">{e(day)}</strong> '
            f"({e(source.zone)} zone, {source.titles:,} titles)"
        )
    if facts is not None:
        dates = sorted({d for dataset in facts.datasets for d in dataset.dates})
        if dates:
            span = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
            parts.append(f"collection days in the lake: {e(span)} ({len(dates)})")
        vintage = vintage_sentence(facts.vintage)
        if vintage:
            parts.append(f'<span id="vintage">{e(vintage)}</span>')
    return f'<p class="meta" id="freshness">{"; ".join(parts)}.</p>' if parts else ""


# --- the view --------------------------------------------------------------------------------------


def tile(key: str, label: str, value: str, detail: str = "") -> str:
    more = f'<span class="detail">{e(detail)}</span>' if detail else ""
    return (
        f'<div class="tile" data-kpi="{key}"><span class="label">{e(label)}</span>'
        f'<span class="value">{value}</span>{more}</div>'
    )


def _money(amount: int) -> str:
    return f"${amount / 1e6:,.1f}M"


def _rho(value: float | None) -> str:
    return fmt(value, 2, signed=True)


def view_content(
    view: ViewParams, answer: Analysis, link: Callable[[int], str]
) -> tuple[str, dict[str, dict[str, Any]]]:
    """The view's HTML and its charts' figures (by element id)."""
    result = next(iter(answer.genres.values()))  # a view answers one group
    heading = (
        f'<h2 id="view-title">{e(result.genre)} {KIND_WORDS[view.kind]} '
        f'<span class="muted">· {result.eligible:,} eligible</span></h2>'
    )
    notes = "".join(f'<p class="note">{e(n)}</p>' for n in result.notes)
    html, charts = _answer_view(result, answer, link)
    reading = answer.kind.reading(result, view.rank_by)
    statements = answer.definition.statements()
    definition = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in statements.items())
    return (
        f'<section class="card">{heading}{notes}{html}<p class="reading">{e(reading)}</p>'
        "<details><summary>The definition</summary>"
        f'<dl class="definition">{definition}</dl></details></section>',
        charts,
    )


def for_charts(result: GenreResult, noun: str) -> str:
    """The line that says the charts show a sample of ``result``'s eligible titles (the analysis was
    asked for at most :data:`CHART_POINTS`), or "" when they show them all."""
    if len(result.titles) >= result.eligible:
        return ""
    picked = len({i.tmdb_id for i in (*result.best, *result.worst)})
    return (
        f'<p class="muted chart-sample">The charts show {len(result.titles) - picked:,} of the '
        f"{result.eligible - picked:,} other eligible {noun} (evenly spaced by TMDB id) beside the best "
        "and the worst; the figures use all of them.</p>"
    )


def tiles(result: GenreResult, kind: TitleKind) -> str:
    """The KPI tiles the kind declares, of one group."""
    found = []
    best, worst = result.best_summary.values, result.worst_summary.values
    for t in kind.tiles:
        if t.shows == "eligible":
            value = f"{result.eligible:,}"
        elif t.shows == "rho":
            value = _rho(result.correlations.get(t.figure))
        elif t.format == "dollars":
            value = f"{_money(best[t.figure])} / {_money(worst[t.figure])}"
        else:
            value = f"{cell_text(t.format, best[t.figure])} / {cell_text(t.format, worst[t.figure])}"
        found.append(tile(t.key, t.label, value))
    return "".join(found)


def _answer_view(
    result: GenreResult, answer: Analysis, link: Callable[[int], str]
) -> tuple[str, dict[str, Any]]:
    """The kind's tiles, charts (those it declares) and tables of one group."""
    kind = answer.kind
    charts: dict[str, Any] = {}
    plots = ""
    if result.eligible:
        sample = for_charts(result, kind.plural)
        charts = {f"chart-{c.key}": c.build(result) for c in kind.charts}
        plots = (
            sample
            + '<div class="charts">'
            + "".join(
                _chart_div(f"chart-{c.key}", c.label, "chart wide" if c.wide else "chart")
                for c in kind.charts
            )
            + "</div>"
        )
    tables = titles_table(result, answer, link) + summary_table(result, answer) if result.eligible else ""
    no_money = f'<p class="note no-money">No money figures: {e(kind.no_money)}.</p>' if kind.no_money else ""
    return f'{no_money}<div class="tiles">{tiles(result, kind)}</div>{plots}{tables}', charts


# --- a title's page --------------------------------------------------------------------------------


def history_figure(details: TitleDetails) -> Figure:
    """Popularity, votes and vote average on each collection day, one panel each (their scales differ)."""
    days = [p.day for p in details.history]
    series = (
        ("popularity", [p.popularity for p in details.history]),
        ("votes", [p.vote_count for p in details.history]),
        ("vote average", [p.vote_average for p in details.history]),
    )
    panels = [
        (name, [{"type": "scatter", "x": days, "y": values, "name": name, "mode": "lines+markers"}])
        for name, values in series
    ]
    data, axes = stacked(panels, spacing=0.08, x={"type": "category"})
    layout = {"height": 520, "margin": {"l": 60, "r": 16, "t": 40, "b": 40}, "showlegend": False, **axes}
    return figure(data, layout)


def title_page(details: TitleDetails, kind: str, back_query: str) -> str:
    facts = "".join(
        f'<tr><th scope="row">{e(k)}</th><td>{e(_fact(v))}</td></tr>' for k, v in details.facts.items()
    )
    genres = ", ".join(details.genres) or "none recorded"
    parties = ", ".join(details.parties) or "none recorded"
    rows = "".join(
        f"<tr><td>{e(p.day)}</td><td>{e(fmt(p.popularity, 3))}</td>"
        f"<td>{'n/a' if p.vote_count is None else f'{p.vote_count:,}'}</td>"
        f"<td>{e(fmt(p.vote_average, 1))}</td></tr>"
        for p in details.history
    )
    chart = ""
    charts: dict[str, Any] = {}
    if details.history:
        charts = {"history-chart": history_figure(details)}
        chart = _chart_div(
            "history-chart", "Popularity, votes and vote average on each collection day", "chart wide"
        )
    body = f"""<header><p><a href="/?{e(back_query)}">← Back to the dashboard</a></p>
<h1 id="title-name">{e(details.name)}</h1>
<p class="meta">TMDB {"movie" if kind == "movies" else "TV"} id {details.tmdb_id}</p></header>
<section class="card"><h2>Facts</h2><div class="table-wrap"><table class="facts">{facts}</table></div>
<p><strong>Genres:</strong> <span id="title-genres">{e(genres)}</span></p>
<p><strong>{e(details.parties_what.capitalize())}:</strong>
<span id="title-parties">{e(parties)}</span></p></section>
<section class="card"><h2>Over the collection days</h2><p class="muted">From {e(details.history_what)}.</p>
<div class="charts">{chart}</div>
<div class="table-wrap"><table class="history"><thead><tr><th>day</th><th>popularity</th><th>votes</th>
<th>vote average</th></tr></thead><tbody>{rows}</tbody></table></div></section>
<div id="views">{_charts_script(charts)}</div>"""
    return page(f"{details.name}: cinelake", body)


def _fact(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    return str(value)


def title_link(kind: str, view_query: str) -> Callable[[int], str]:
    """The URL of a title's page, carrying the view to go back to."""
    return lambda tmdb_id: f"/title/{quote(kind)}/{tmdb_id}?{view_query}"
