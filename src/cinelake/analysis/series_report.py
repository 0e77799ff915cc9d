"""The report's series section: per genre the popularity-vs-vote chart, the best and worst table, the
medians and correlations, and a reading; TV's missing budget and revenue said, not left blank."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cinelake.analysis.reading import series_reading
from cinelake.analysis.report_html import e as _e
from cinelake.analysis.report_html import figures_tables, ranked_table, source_line, title_cell
from cinelake.analysis.report_html import fmt as _fmt
from cinelake.analysis.series_model import NO_MONEY, Series, SeriesAnalysis, SeriesGenreResult

if TYPE_CHECKING:
    import plotly.graph_objects as go


def series_section(series: SeriesAnalysis, chart: Callable[[go.Figure, str], str]) -> str:
    """The whole section; ``chart(fig, div_id)`` turns a figure into the page's chart ``<div>``."""
    from cinelake.analysis.series_charts import popularity_vote_scatter

    d = series.definition
    items = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in d.statements().items())
    genres = []
    for result in series.genres.values():
        slug = "".join(c if c.isalnum() else "-" for c in result.genre.lower()).strip("-") or "genre"
        charts = ""
        if result.eligible:
            figure = popularity_vote_scatter(result)
            charts = '<div class="charts">' + chart(figure, f"chart-series-{slug}-popularity-vote") + "</div>"
        tables = series_table(result, d.rank_by) + series_summary(result) if result.eligible else ""
        notes = "".join(f'<p class="note">{_e(n)}</p>' for n in result.notes)
        genres.append(
            f'<section class="card series-genre" id="series-{slug}">'
            f"<h2>{_e(result.genre)} series "
            f'<span class="muted">· {result.eligible:,} eligible series</span></h2>'
            f'{notes}<p class="reading">{_e(series_reading(result))}</p>{charts}{tables}</section>'
        )
    return (
        '<section class="card" id="series"><h2>Series</h2>'
        f'<p class="meta">{source_line(series.source, "series")}.</p>'
        f'<p class="note no-money">{_e(NO_MONEY)}.</p>'
        f'<p class="muted">genres {_e(", ".join(d.genres))}; top {d.top}; min votes {d.min_votes:,}; '
        f"ranked by {_e(d.rank_by)}</p>"
        f'<dl class="definition">{items}</dl></section>' + "\n".join(genres)
    )


def series_table(result: SeriesGenreResult, rank_by: str, link: Callable[[int], str] | None = None) -> str:
    """The best and worst series' table; ``link(tmdb_id)``, when given, is the URL each name links to."""
    return ranked_table(
        rank_by,
        ("series", "first aired", "vote avg", "votes", "popularity", "seasons", "episodes", "TMDB id"),
        [_cells(s, link) for s in result.best],
        [_cells(s, link) for s in result.worst],
        title_column="series",
        table_class="films series",
        ids=([s.tmdb_id for s in result.best], [s.tmdb_id for s in result.worst]),
    )


def _cells(show: Series, link: Callable[[int], str] | None) -> list[str]:
    return [
        title_cell(show.name, show.tmdb_id, link),
        str(show.first_air_year or ""),
        f"{show.vote_average:.1f}",
        f"{show.vote_count:,}",
        _fmt(show.popularity),
        "n/a" if show.seasons is None else str(show.seasons),
        "n/a" if show.episodes is None else str(show.episodes),
        str(show.tmdb_id),
    ]


def series_summary(result: SeriesGenreResult) -> str:
    best, worst = result.best_summary, result.worst_summary
    return figures_tables(
        [
            ("series", str(best.count), str(worst.count)),
            ("median vote average", _fmt(best.median_vote_average, 1), _fmt(worst.median_vote_average, 1)),
            ("median popularity", _fmt(best.median_popularity), _fmt(worst.median_popularity)),
            ("median seasons", _fmt(best.median_seasons, 1), _fmt(worst.median_seasons, 1)),
            ("median episodes", _fmt(best.median_episodes, 1), _fmt(worst.median_episodes, 1)),
        ],
        result.correlations,
        result.eligible,
        "series",
    )
