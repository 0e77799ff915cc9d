"""The report's series section: per genre the popularity-vs-vote chart, the best and worst table, the
medians and correlations, and a reading; TV's missing budget and revenue said, not left blank."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from cinelake.analysis.reading import series_reading
from cinelake.analysis.series_model import NO_MONEY, Series, SeriesAnalysis, SeriesGenreResult

if TYPE_CHECKING:
    import plotly.graph_objects as go


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _fmt(value: float | None, digits: int = 2, *, signed: bool = False) -> str:
    return "n/a" if value is None else f"{value:{'+' if signed else ''}.{digits}f}"


def series_section(series: SeriesAnalysis, chart: Callable[[go.Figure, str], str]) -> str:
    """The whole section; ``chart(fig, div_id)`` turns a figure into the page's chart ``<div>``."""
    from cinelake.analysis.series_charts import popularity_vote_scatter

    src = series.source
    source_line = (
        f"Source: {_e(src.description)}: {src.films:,} series at <code>{_e(src.location)}</code>"
        + (f", newest data {_e(src.snapshot)}" if src.snapshot else "")
        if src
        else "Source: series given directly"
    )
    d = series.definition
    items = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in d.statements().items())
    genres = []
    for result in series.genres.values():
        slug = "".join(c if c.isalnum() else "-" for c in result.genre.lower()).strip("-") or "genre"
        charts = ""
        if result.eligible:
            figure = popularity_vote_scatter(result)
            charts = '<div class="charts">' + chart(figure, f"chart-series-{slug}-popularity-vote") + "</div>"
        tables = _table(result) + _summary(result) if result.eligible else ""
        notes = "".join(f'<p class="note">{_e(n)}</p>' for n in result.notes)
        genres.append(
            f'<section class="card series-genre" id="series-{slug}">'
            f"<h2>{_e(result.genre)} series "
            f'<span class="muted">· {result.eligible:,} eligible series</span></h2>'
            f'{notes}<p class="reading">{_e(series_reading(result))}</p>{charts}{tables}</section>'
        )
    return (
        '<section class="card" id="series"><h2>Series</h2>'
        f'<p class="meta">{source_line}.</p>'
        f'<p class="note no-money">{_e(NO_MONEY)}.</p>'
        f'<p class="muted">genres {_e(", ".join(d.genres))}; top {d.top}; min votes {d.min_votes:,}; '
        "ranked by vote_average</p>"
        f'<dl class="definition">{items}</dl></section>' + "\n".join(genres)
    )


def _table(result: SeriesGenreResult) -> str:
    head = "".join(
        f'<th class="title">{h}</th>' if h == "series" else f"<th>{h}</th>"
        for h in (
            "#",
            "series",
            "first aired",
            "vote avg",
            "votes",
            "popularity",
            "seasons",
            "episodes",
            "TMDB id",
        )
    )
    rows: list[str] = []
    for group, shows in (("best", result.best), ("worst", result.worst)):
        rows.extend(_row(group, i, s) for i, s in enumerate(shows, 1))
    return (
        f"<h3>The {len(result.best)} best (B) and {len(result.worst)} worst (W) by vote_average</h3>"
        f'<div class="table-wrap"><table class="films series"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _row(group: str, rank: int, show: Series) -> str:
    cells = [
        f"{group[0].upper()}{rank}",
        f'<td class="title">{_e(show.name or "?")}</td>',
        str(show.first_air_year or ""),
        f"{show.vote_average:.1f}",
        f"{show.vote_count:,}",
        _fmt(show.popularity),
        "n/a" if show.seasons is None else str(show.seasons),
        "n/a" if show.episodes is None else str(show.episodes),
        str(show.tmdb_id),
    ]
    tds = "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in cells)
    return f'<tr class="{group}">{tds}</tr>'


def _summary(result: SeriesGenreResult) -> str:
    best, worst = result.best_summary, result.worst_summary
    rows = [
        ("series", str(best.count), str(worst.count)),
        ("median vote average", _fmt(best.median_vote_average, 1), _fmt(worst.median_vote_average, 1)),
        ("median popularity", _fmt(best.median_popularity), _fmt(worst.median_popularity)),
        ("median seasons", _fmt(best.median_seasons, 1), _fmt(worst.median_seasons, 1)),
        ("median episodes", _fmt(best.median_episodes, 1), _fmt(worst.median_episodes, 1)),
    ]
    body = "".join(f"<tr><td>{_e(a)}</td><td>{b}</td><td>{c}</td></tr>" for a, b, c in rows)
    corr = "".join(
        f"<tr><td>{_e(key)}</td><td>{_fmt(rho, signed=True)}</td></tr>"
        for key, rho in result.correlations.items()
    )
    return (
        '<h3>Summary</h3><div class="table-wrap"><table class="summary">'
        "<thead><tr><th>figure</th><th>best</th><th>worst</th></tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
        f"<h3>Spearman rank correlations over all {result.eligible:,} eligible series</h3>"
        '<div class="table-wrap"><table class="correlations"><thead><tr><th>pair</th><th>ρ</th></tr></thead>'
        f"<tbody>{corr}</tbody></table></div>"
    )
