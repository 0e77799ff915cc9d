"""The report's series chart: popularity against vote_average for one genre's eligible series, the
best and worst labelled (B1..B5, W1..W5, as in the films' charts)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from cinelake.analysis.charts import _layout, groups, popular_points
from cinelake.analysis.series_model import Series, SeriesGenreResult

if TYPE_CHECKING:
    import plotly.graph_objects as go


def _hover(show: Series) -> str:
    pop = "n/a" if show.popularity is None else f"{show.popularity:.2f}"
    seasons = "n/a" if show.seasons is None else str(show.seasons)
    episodes = "n/a" if show.episodes is None else str(show.episodes)
    return (
        f"<b>{show.name or show.tmdb_id}</b> ({show.first_air_year or '?'})<br>"
        f"vote {show.vote_average:.1f} ({show.vote_count:,} votes)<br>popularity {pop}<br>"
        f"{seasons} seasons, {episodes} episodes"
    )


def popularity_vote_scatter(result: SeriesGenreResult) -> go.Figure:
    """Popularity (log scale) against vote_average for every eligible series of the genre."""
    import plotly.graph_objects as go

    fig = go.Figure()
    traces = groups(result.series, result.best, result.worst, "series")
    for trace in popular_points(traces, "vote_average", "popularity", _hover):
        fig.add_trace(trace)
    rho = result.correlations.get("popularity_vote_average")
    subtitle = "" if rho is None else f" · Spearman ρ = {rho:+.2f}"
    fig.update_layout(
        **_layout(
            f"Popularity vs vote average{subtitle}",
            xaxis={"title": {"text": "TMDB vote average"}},
            yaxis={"type": "log", "title": {"text": "TMDB popularity"}, "tickvals": _ticks(result)},
        )
    )
    return fig


def _ticks(result: SeriesGenreResult) -> list[float]:
    """1-2-5 steps over the popularity range: a log axis labelled with whole values."""
    values = [s.popularity for s in result.series if s.popularity is not None and s.popularity > 0]
    if not values:
        return []
    low, high = min(values), max(values)
    ticks: list[float] = []
    scale = 10.0 ** math.floor(math.log10(low))
    while scale <= high * 10:
        ticks.extend(step * scale for step in (1, 2, 5) if low / 2 <= step * scale <= high * 2)
        scale *= 10
    return ticks
