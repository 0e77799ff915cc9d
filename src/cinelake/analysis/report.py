"""The HTML report: one self-contained page (plotly.js bundled once, no CDN) that works offline.

Per genre it shows budget vs revenue, the ROI of the best and worst, popularity vs ROI, the tables and
a reading of the figures; then the definition, the data's freshness and the TMDB attribution. The CSS
is responsive: one column on a phone, charts side by side on a wide screen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from cinelake.analysis.freshness import Freshness, freshness, vintage_sentence
from cinelake.analysis.kinds import cell_text
from cinelake.analysis.model import Analysis, GenreResult, Record
from cinelake.analysis.plotting import Figure, figure_html, plotly_js
from cinelake.analysis.report_html import e as _e
from cinelake.analysis.report_html import figures_tables, ranked_table, source_line, title_cell
from cinelake.analysis.report_html import fmt as _fmt
from cinelake.attribution import TMDB_NOTICE
from cinelake.lake.store import Lake

REPORT_NAME = "report.html"

_CSS = """
:root { --fg: #1d232a; --muted: #5b6570; --line: #e3e6ea; --best: #1b9e77; --worst: #d95f02; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       background: #f6f7f9; }
main { max-width: 1200px; margin: 0 auto; padding: 16px; }
header h1 { font-size: 1.6rem; margin: 0.4em 0 0.2em; }
h2 { font-size: 1.35rem; margin: 0 0 0.4em; }
h3 { font-size: 1.05rem; margin: 1.2em 0 0.4em; }
.meta, .notice, .muted { color: var(--muted); font-size: 0.9rem; }
section.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px;
               margin: 16px 0; }
.charts { display: grid; grid-template-columns: 1fr; gap: 12px; }
.chart { min-width: 0; border: 1px solid var(--line); border-radius: 8px; padding: 4px; }
@media (min-width: 900px) {
  .charts { grid-template-columns: 1fr 1fr; }
  .charts .wide { grid-column: 1 / -1; }
}
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: 0.88rem; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th:first-child, td:first-child, td.title, th.title { text-align: left; }
td.title { white-space: normal; min-width: 10em; }
tr.best td:first-child { border-left: 4px solid var(--best); }
tr.worst td:first-child { border-left: 4px solid var(--worst); }
table.summary, table.correlations { max-width: 560px; }
table.freshness td:nth-child(-n+3), table.freshness th:nth-child(-n+3) { text-align: left; }
.note { background: #fff6e5; border-left: 4px solid #f0a500; padding: 6px 10px; margin: 8px 0; }
dl.definition dt { font-weight: 600; margin-top: 0.5em; }
dl.definition dd { margin: 0 0 0 1em; }
footer { margin: 24px 0; }
@media (max-width: 600px) { main { padding: 8px; } section.card { padding: 10px; } body { font-size: 15px; } }
"""


def report(
    lake: Lake,
    out_dir: Path | str,
    analysis: Analysis | None = None,
    *,
    series: Analysis | None = None,
) -> Path:
    """Write ``<out_dir>/report.html`` for the answers given: the films' ``analysis`` and, when given,
    the ``series`` answer in a section of its own; the films' answer is computed with the defaults
    when neither is given."""
    from cinelake.analysis.answer import budget_vs_revenue

    if analysis is None and series is None:
        analysis = budget_vs_revenue(lake)
    page = render_report(analysis, freshness(lake), series=series)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / REPORT_NAME
    tmp = folder / f".{REPORT_NAME}.tmp"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path.resolve()


def render_report(
    analysis: Analysis | None,
    facts: Freshness,
    *,
    series: Analysis | None = None,
    ingestion: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """The whole page as a string, of the answers it is given: the films' ``analysis`` leads with its
    genres and definition, the ``series`` answer follows in a section of its own (or is the page's only
    answer when ``analysis`` is None); the day's ingestion runs, their failed ids named, when
    ``ingestion`` is given (the state machine's ``ingested``)."""
    answers = [answer for answer in (analysis, series) if answer is not None]
    if not answers:
        raise ValueError("a report needs at least one answer")
    lead = answers[0]
    names = ", ".join(lead.genres)
    heading = lead.kind.report_title.format(genres=names, rank_by=lead.definition.rank_by)
    # The films' source heads the page; an answer in a section of its own states its source there.
    source = f"{source_line(analysis.source, analysis.kind.plural)}." if analysis is not None else ""
    body = f"{_genre_sections(analysis)}\n{_definition_section(analysis)}" if analysis is not None else ""
    added = _kind_sections(series) if series is not None else ""
    what = " and ".join(answer.kind.singular for answer in answers).capitalize()
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cinelake · {_e(heading)}</title>
<style>{_CSS}</style>
<script>{plotly_js()}</script>
</head>
<body>
<main>
<header>
<h1>{_e(heading)}</h1>
<p class="meta">{source}{_vintage(facts)}
Report of the lake <code>{_e(facts.lake)}</code>, checked {_e(facts.checked_at)}.</p>
<p class="notice">{_e(TMDB_NOTICE)}</p>
</header>
{body}
{added}
{_ingestion_section(ingestion) if ingestion is not None else ""}
{_freshness_section(facts)}
<footer class="notice"><p>{_e(TMDB_NOTICE)} {what} data and
popularity figures come from TMDB.</p></footer>
</main>
</body>
</html>
"""


def _vintage(facts: Freshness) -> str:
    sentence = vintage_sentence(facts.vintage)
    return f" {_e(sentence)}." if sentence else ""


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "genre"


def _chart(fig: Figure, div_id: str, css: str = "chart") -> str:
    body = figure_html(fig, div_id)
    return f'<div class="{css}" data-chart="{_e(div_id)}">{body}</div>'


def _genre_sections(analysis: Analysis) -> str:
    return "\n".join(_genre_section(result, analysis) for result in analysis.genres.values())


def _genre_section(result: GenreResult, analysis: Analysis) -> str:
    """One genre's card: its notes, reading, the kind's charts and tables."""
    kind, rank_by = analysis.kind, analysis.definition.rank_by
    slug = _slug(result.genre)
    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in result.notes)
    charts = ""
    if result.eligible:
        charts = (
            '<div class="charts">'
            + "".join(
                _chart(
                    c.build(result),
                    f"chart-{kind.chart_prefix}{slug}-{c.key}",
                    "chart wide" if c.wide else "chart",
                )
                for c in kind.charts
            )
            + "</div>"
        )
    tables = titles_table(result, analysis) + summary_table(result, analysis) if result.eligible else ""
    heading = kind.genre_heading.format(genre=result.genre)
    css = "genre" if kind.report_anchor == "genre" else f"{kind.report_anchor}-genre"
    return f"""<section class="card {css}" id="{kind.report_anchor}-{slug}">
<h2>{_e(heading)} <span class="muted">· {result.eligible:,} eligible {kind.plural}</span></h2>
{notes}
<p class="reading">{_e(kind.reading(result, rank_by))}</p>
{charts}
{tables}
</section>"""


def titles_table(result: GenreResult, analysis: Analysis, link: Callable[[int], str] | None = None) -> str:
    """The best and worst titles' table, in the kind's columns; ``link(tmdb_id)``, when given, is the
    URL each title links to."""
    kind = analysis.kind
    columns = kind.page_columns_for(analysis.definition.rank_by)
    return ranked_table(
        analysis.definition.rank_by,
        [c.header for c in columns],
        [_cells(t, analysis, link) for t in result.best],
        [_cells(t, analysis, link) for t in result.worst],
        title_column=columns[0].header,
        table_class=kind.table_class,
        ids=([t.tmdb_id for t in result.best], [t.tmdb_id for t in result.worst]),
    )


def _cells(title: Record, analysis: Analysis, link: Callable[[int], str] | None) -> list[str]:
    found = []
    for column in analysis.kind.page_columns_for(analysis.definition.rank_by):
        value = getattr(title, column.field)
        if column.format == "title":
            found.append(title_cell(value, title.tmdb_id, link))
        elif column.format == "ids":
            found.append(f"{value}" + (f" / {_e(title.imdb_id)}" if title.imdb_id else ""))
        else:
            found.append(_e(cell_text(column.format, value)))
    return found


def summary_table(result: GenreResult, analysis: Analysis) -> str:
    """The kind's figures of the best and the worst, then the correlations."""
    best, worst = result.best_summary.values, result.worst_summary.values
    between = "".join(
        f'<p class="muted">{key.replace("_", " ").capitalize()}, best minus worst: '
        f"{_fmt(result.difference(key), signed=True)}.</p>"
        for key in result.differences
    )
    return figures_tables(
        [
            (label, cell_text(how, best[key]), cell_text(how, worst[key]))
            for label, key, how in analysis.kind.summary_rows
        ],
        result.correlations,
        result.eligible,
        analysis.kind.plural,
        between=between,
    )


def _params(analysis: Analysis) -> str:
    d = analysis.definition
    return (
        f"genres {_e(', '.join(d.genres))}; top {d.top}; min votes {d.min_votes:,}; ranked by {_e(d.rank_by)}"
    )


def _definition_items(analysis: Analysis) -> str:
    return "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in analysis.definition.statements().items())


def _definition_section(analysis: Analysis) -> str:
    return (
        f'<section class="card" id="definition"><h2>Definition</h2><p class="muted">{_params(analysis)}</p>'
        f'<dl class="definition">{_definition_items(analysis)}</dl></section>'
    )


def _kind_sections(answer: Analysis) -> str:
    """An answer in a section of its own (the series', beside the films' or alone): its card (source,
    what it has no figures of, parameters, definition), then its genres."""
    kind = answer.kind
    no_money = f'<p class="note no-money">{_e(kind.no_money)}.</p>' if kind.no_money else ""
    return (
        f'<section class="card" id="{kind.report_anchor}"><h2>{_e(kind.plural.capitalize())}</h2>'
        f'<p class="meta">{source_line(answer.source, kind.plural)}.</p>{no_money}'
        f'<p class="muted">{_params(answer)}</p>'
        f'<dl class="definition">{_definition_items(answer)}</dl></section>' + "\n" + _genre_sections(answer)
    )


def _dates(dates: tuple[str, ...]) -> str:
    if len(dates) <= 4:
        return ", ".join(dates)
    return f"{dates[0]} … {dates[-1]} ({len(dates)} days)"


def _ingestion_section(runs: Sequence[Mapping[str, Any]]) -> str:
    """One row per ingestion run of the day, then every failed id with its reason."""
    rows = "".join(
        "<tr>"
        f"<td>{_e(str(r.get('source', '')))}</td><td>{_e(str(r.get('kind', '')))}</td>"
        f"<td>{int(r.get('written', 0)):,}</td><td>{int(r.get('not_found', 0)):,}</td>"
        f"<td>{int(r.get('failed', 0)):,}</td><td>{_e(str(r.get('ended') or 'complete'))}</td>"
        "</tr>"
        for r in runs
    )
    failures = [(r, f) for r in runs for f in r.get("failures") or ()]
    failed = sum(int(r.get("failed", 0)) for r in runs)
    listed = "".join(
        f"<li><code>{_e(str(f.get('id', '')))}</code> ({_e(str(r.get('kind', '')))}, "
        f"{_e(str(r.get('source', '')))}): {_e(str(f.get('reason', '')))}</li>"
        for r, f in failures
    )
    shown = (
        ""
        if failed == len(failures)
        else f" (the first {len(failures)} shown; every one is in the run manifest)"
    )
    return (
        '<section class="card" id="ingestion"><h2>Ingestion of the day</h2>'
        f"<p>{failed:,} id(s) failed{shown}.</p>"
        '<div class="table-wrap"><table class="ingestion"><thead><tr><th>source</th><th>kind</th>'
        "<th>written</th><th>not found</th><th>failed</th><th>ended</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
        f"{f'<ul class=failures>{listed}</ul>' if listed else ''}</section>"
    )


def _freshness_section(facts: Freshness) -> str:
    rows = "".join(
        "<tr>"
        f"<td>{_e(d.zone)}</td><td>{_e(d.dataset)}</td>"
        f"<td>{_e(_dates(d.dates))}</td>"
        f"<td>{d.files:,}</td><td>{'n/a' if d.records is None else f'{d.records:,}'}</td>"
        "</tr>"
        for d in facts.datasets
    )
    if not rows:
        rows = '<tr><td colspan="5">no dataset found</td></tr>'
    return (
        '<section class="card" id="freshness"><h2>Freshness of the data</h2>'
        f'<p class="muted">Lake <code>{_e(facts.lake)}</code>, checked {_e(facts.checked_at)} (UTC).</p>'
        '<div class="table-wrap"><table class="freshness"><thead><tr><th>zone</th><th>dataset</th>'
        "<th>ingestion dates</th><th>files</th><th>records</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div></section>"
    )
