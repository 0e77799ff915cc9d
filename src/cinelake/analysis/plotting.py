"""Plotly figures as plain dicts, and the plotly.js that draws them.

A figure here is the JSON plotly.js takes (``{"data": [...traces], "layout": {...}}``), written by hand
rather than through plotly's Python package: that package is 64 MB installed (most of it the classes
that validate each property), while the report and the dashboard only need the JSON it would emit.
Without it a plain ``pip install cinelake`` stays under 500 MB. plotly.js itself and the
``plotly_white`` template ship in ``plotlyjs/`` (see its SOURCE.md). The test bench installs the
Python package and passes every figure built here to ``plotly.graph_objects.Figure``, which rejects an
unknown or ill-typed property, so the dicts cannot drift from what plotly.js understands.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import orjson

PLOTLY_DIR = Path(__file__).parent / "plotlyjs"
PLOTLY_JS = PLOTLY_DIR / "plotly.min.js"
PLOT_CONFIG = {"responsive": True, "displayModeBar": False}

Figure = dict[str, Any]


@cache
def _template() -> dict[str, Any]:
    return dict(json.loads((PLOTLY_DIR / "plotly_white.json").read_text(encoding="utf-8")))


def plotly_js() -> str:
    """The plotly.js bundle, to inline into a page."""
    return PLOTLY_JS.read_text(encoding="utf-8")


def props(**values: Any) -> dict[str, Any]:
    """Plotly properties with the unset ones (None) left out, as plotly's own JSON leaves them."""
    return {name: value for name, value in values.items() if value is not None}


def figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> Figure:
    """A figure of ``data`` (traces, each with its ``type``) drawn on the ``plotly_white`` template."""
    return {"data": data, "layout": {**layout, "template": _template()}}


def stacked(
    panels: list[tuple[str, list[dict[str, Any]]]], *, spacing: float, x: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Panels one above the other sharing their x axis (plotly's ``make_subplots(rows=n, cols=1,
    shared_xaxes=True, subplot_titles=...)``): each panel's traces on its own axes, its title above it,
    the x values labelled under the bottom panel only. ``x`` is every x axis' own properties. Returns
    the traces and the layout's axes and titles."""
    rows = len(panels)
    height = (1 - spacing * (rows - 1)) / rows
    data: list[dict[str, Any]] = []
    layout: dict[str, Any] = {"annotations": []}
    for row, (title, traces) in enumerate(panels, 1):
        suffix = "" if row == 1 else str(row)
        top = 1 - (row - 1) * (height + spacing)
        data += [{**trace, "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"} for trace in traces]
        shared = {} if row == rows else {"matches": f"x{rows}", "showticklabels": False}
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "domain": [0.0, 1.0], **shared, **x}
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": [max(top - height, 0.0), top]}
        layout["annotations"].append(
            {
                "font": {"size": 16},
                "showarrow": False,
                "text": title,
                "x": 0.5,
                "xanchor": "center",
                "xref": "paper",
                "y": top,
                "yanchor": "bottom",
                "yref": "paper",
            }
        )
    return data, layout


def script_json(value: object) -> str:
    """Figures (or a mapping of them) as JSON that is safe inside a ``<script>`` element (``</`` is
    written ``<\\/``). orjson writes dates as ISO text and NaN as null, as plotly's own encoder does."""
    return orjson.dumps(value).decode().replace("</", "<\\/")


def figure_html(fig: Figure, div_id: str) -> str:
    """The figure's ``<div>`` and the script that draws it with the page's plotly.js."""
    height = fig["layout"].get("height")
    style = f"height:{height}px; width:100%;" if height else "height:100%; width:100%;"
    draw = f"Plotly.newPlot({json.dumps(div_id)}, fig.data, fig.layout, {json.dumps(PLOT_CONFIG)});"
    return (
        f'<div id="{div_id}" class="plotly-graph-div" style="{style}"></div>'
        f"<script>(function (fig) {{ {draw} }})({script_json(fig)});</script>"
    )
