"""The charts of one genre's answer: Plotly figures, the ones a kind declares
(:attr:`cinelake.analysis.kinds.TitleKind.charts`).

Each function returns a figure as the dict plotly.js takes (:mod:`cinelake.analysis.plotting` says
why not plotly's Python classes); the report turns them into ``<div>``s that share the one copy of
plotly.js bundled into the page, the dashboard sends them as JSON.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from cinelake.analysis.model import GenreResult, Record
from cinelake.analysis.plotting import Figure, figure, props

BEST_COLOR = "#1b9e77"
WORST_COLOR = "#d95f02"
OTHER_COLOR = "rgba(120, 120, 120, 0.35)"
LABEL_CHARS = 22
# Labels of neighbouring highlighted points go different ways so fewer of them collide.
LABEL_POSITIONS = ("top center", "bottom center", "middle right", "middle left", "top right", "bottom left")


def short_title(film: Record) -> str:
    title = film.title or f"TMDB {film.tmdb_id}"
    return title if len(title) <= LABEL_CHARS else title[: LABEL_CHARS - 1] + "…"


def _hover(film: Record) -> str:
    pop = "n/a" if film.popularity is None else f"{film.popularity:.2f}"
    vote = "n/a" if film.vote_average is None else f"{film.vote_average:.1f}"
    return (
        f"<b>{film.title or film.tmdb_id}</b> ({film.release_year or '?'})<br>"
        f"budget ${film.budget:,}<br>revenue ${film.revenue:,}<br>ROI {film.roi:.2f}×<br>"
        f"vote {vote} ({film.vote_count:,} votes)<br>popularity {pop}"
    )


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 15}},
        "height": 430,
        "margin": {"l": 60, "r": 16, "t": 48, "b": 56},
        "legend": {"orientation": "h", "y": -0.18, "x": 0},
        "hoverlabel": {"align": "left"},
        **extra,
    }


class Charted(Protocol):
    """What a chart needs of any title (film or series) beyond the fields it plots."""

    @property
    def tmdb_id(self) -> int: ...

    @property
    def popularity(self) -> float | None: ...


T = TypeVar("T", bound=Charted)


def codes(prefix: str, items: Sequence[object]) -> list[str]:
    """``B1``..``B5`` / ``W1``..``W5``: short labels that stay legible where points crowd; the tables
    and the hover text give the titles."""
    return [f"{prefix}{i}" for i in range(1, len(items) + 1)]


Group = tuple[list[T], str, str, list[str] | None, int]


def groups(eligible: Sequence[T], best: Sequence[T], worst: Sequence[T], noun: str) -> list[Group[T]]:
    """The traces of a genre's chart: every other eligible title (grey), then the best and the worst
    (coloured, labelled B1.. / W1..), each as (items, legend name, colour, labels, marker size)."""
    picked = {i.tmdb_id for i in (*best, *worst)}
    others = [i for i in eligible if i.tmdb_id not in picked]
    return [
        (others, f"other eligible {noun}", OTHER_COLOR, None, 6),
        (list(best), f"best (B1–B{len(best)})", BEST_COLOR, codes("B", best), 11),
        (list(worst), f"worst (W1–W{len(worst)})", WORST_COLOR, codes("W", worst), 11),
    ]


def points(
    items: Sequence[T],
    x: str,
    y: str,
    name: str,
    color: str,
    hover: Callable[[T], str],
    *,
    labels: Sequence[str] | None = None,
    size: int = 6,
) -> dict[str, Any]:
    """One scatter trace: each item's ``x`` and ``y`` fields, labelled when ``labels`` are given."""
    return props(
        type="scatter",
        x=[getattr(i, x) for i in items],
        y=[getattr(i, y) for i in items],
        mode="markers+text" if labels else "markers",
        name=name,
        text=list(labels) if labels else None,
        textposition=[LABEL_POSITIONS[i % len(LABEL_POSITIONS)] for i in range(len(items))],
        textfont={"size": 11, "color": color},
        marker=props(color=color, size=size, line={"width": 1, "color": "white"} if labels else None),
        hovertext=[
            (f"{label}: " if labels else "") + hover(i)
            for label, i in zip(labels or [""] * len(items), items, strict=True)
        ],
        hoverinfo="text",
    )


def popular_points(
    traces: list[Group[T]], x: str, y: str, hover: Callable[[T], str]
) -> list[dict[str, Any]]:
    """The traces of a chart with popularity on a log axis: a title without a positive popularity is
    left out, the others keep their B/W label."""
    found = []
    for items, name, color, labels, size in traces:
        pairs = [
            (i, label)
            for i, label in zip(items, labels or [""] * len(items), strict=True)
            if i.popularity is not None and i.popularity > 0
        ]
        shown = [i for i, _ in pairs]
        found.append(
            points(
                shown, x, y, name, color, hover, labels=[c for _, c in pairs] if labels else None, size=size
            )
        )
    return found


def _groups(result: GenreResult, noun: str = "films") -> list[Group[Record]]:
    return groups(result.titles, result.best, result.worst, noun)


def budget_revenue_scatter(result: GenreResult) -> Figure:
    """Budget against revenue on log axes, with the break-even line and the best/worst labelled."""
    data = [
        points(films, "budget", "revenue", name, color, _hover, labels=labels, size=size)
        for films, name, color, labels, size in _groups(result)
    ]
    values = [v for f in result.titles for v in (f.budget, f.revenue)]
    low, high = min(values), max(values)
    data.append(
        {
            "type": "scatter",
            "x": [low, high],
            "y": [low, high],
            "mode": "lines",
            "name": "break-even (revenue = budget)",
            "line": {"color": "#555", "dash": "dot", "width": 1},
            "hoverinfo": "skip",
        }
    )
    return figure(
        data,
        _layout(
            "Budget vs revenue (log scales)",
            xaxis={"type": "log", "title": {"text": "budget (US$)"}},
            yaxis={"type": "log", "title": {"text": "revenue (US$)"}},
        ),
    )


def roi_bars(result: GenreResult) -> Figure:
    """ROI of the best and worst films side by side, with the break-even line at 1×."""
    data = [
        {
            "type": "bar",
            "x": [f.roi for f in films],
            "y": [f"{code} · {short_title(f)}" for code, f in zip(codes(prefix, films), films, strict=True)],
            "orientation": "h",
            "name": group,
            "marker": {"color": color},
            "text": [f"{f.roi:.2f}×" for f in films],
            "textposition": "auto",
            "hovertext": [_hover(f) for f in films],
            "hoverinfo": "text",
        }
        for prefix, group, films, color in (
            ("B", "best", result.best, BEST_COLOR),
            ("W", "worst", result.worst, WORST_COLOR),
        )
    ]
    rois = [f.roi for f in (*result.best, *result.worst)]
    log = bool(rois) and max(rois) / min(rois) > 50
    # A vertical line at x = 1 over the plot's whole height (plotly's add_vline).
    break_even = {
        "type": "line",
        "x0": 1,
        "x1": 1,
        "xref": "x",
        "y0": 0,
        "y1": 1,
        "yref": "y domain",
        "line": {"color": "#555", "dash": "dot", "width": 1},
    }
    return figure(
        data,
        _layout(
            "ROI = revenue / budget",
            xaxis={
                "type": "log" if log else "linear",
                "title": {"text": "ROI (×); dotted line = break-even"},
            },
            yaxis={"autorange": "reversed", "automargin": True},
            barmode="group",
            shapes=[break_even],
        ),
    )


def popularity_roi_scatter(result: GenreResult) -> Figure:
    """Popularity against ROI for every eligible film (log scales), the best/worst labelled."""
    rho = result.correlations.get("popularity_roi")
    subtitle = "" if rho is None else f" · Spearman ρ = {rho:+.2f}"
    return figure(
        popular_points(_groups(result), "popularity", "roi", _hover),
        _layout(
            f"Popularity vs ROI{subtitle}",
            xaxis={"type": "log", "title": {"text": "TMDB popularity"}},
            yaxis={"type": "log", "title": {"text": "ROI (×)"}},
        ),
    )


def _series_hover(show: Record) -> str:
    pop = "n/a" if show.popularity is None else f"{show.popularity:.2f}"
    seasons = "n/a" if show.seasons is None else str(show.seasons)
    episodes = "n/a" if show.episodes is None else str(show.episodes)
    return (
        f"<b>{show.name or show.tmdb_id}</b> ({show.first_air_year or '?'})<br>"
        f"vote {show.vote_average:.1f} ({show.vote_count:,} votes)<br>popularity {pop}<br>"
        f"{seasons} seasons, {episodes} episodes"
    )


def popularity_vote_scatter(result: GenreResult) -> Figure:
    """Popularity (log scale) against vote_average for every eligible series of the genre."""
    rho = result.correlations.get("popularity_vote_average")
    subtitle = "" if rho is None else f" · Spearman ρ = {rho:+.2f}"
    return figure(
        popular_points(_groups(result, "series"), "vote_average", "popularity", _series_hover),
        _layout(
            f"Popularity vs vote average{subtitle}",
            xaxis={"title": {"text": "TMDB vote average"}},
            yaxis={"type": "log", "title": {"text": "TMDB popularity"}, "tickvals": _ticks(result)},
        ),
    )


def _ticks(result: GenreResult) -> list[float]:
    """1-2-5 steps over the popularity range: a log axis labelled with whole values."""
    values = [s.popularity for s in result.titles if s.popularity is not None and s.popularity > 0]
    if not values:
        return []
    low, high = min(values), max(values)
    ticks: list[float] = []
    scale = 10.0 ** math.floor(math.log10(low))
    while scale <= high * 10:
        ticks.extend(step * scale for step in (1, 2, 5) if low / 2 <= step * scale <= high * 2)
        scale *= 10
    return ticks
