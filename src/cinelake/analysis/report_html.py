"""The HTML pieces the report's films and series sections share: escaping, figures, the source line,
the best-and-worst table and the summary and correlation tables, each driven by a kind's columns,
cells and rows."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from cinelake.analysis.model import Source


def e(text: object) -> str:
    return html.escape(str(text), quote=True)


def fmt(value: float | None, digits: int = 2, suffix: str = "", *, signed: bool = False) -> str:
    return "n/a" if value is None else f"{value:{'+' if signed else ''}.{digits}f}{suffix}"


def source_line(source: Source | None, noun: str) -> str:
    """Where the answer's ``noun`` (films, series) came from, as the sentence the page shows."""
    if source is None:
        return f"Source: {noun} given directly"
    return (
        f"Source: {e(source.description)}: {source.titles:,} {noun} at <code>{e(source.location)}</code>"
        + (f", collected from TMDB on {e(source.snapshot)}" if source.snapshot else "")
    )


def title_cell(name: str | None, tmdb_id: int, link: Callable[[int], str] | None) -> str:
    """A title's table cell, a link to ``link(tmdb_id)`` when given."""
    text = e(name or "?")
    if link is not None:
        text = f'<a href="{e(link(tmdb_id))}">{text}</a>'
    return f'<td class="title">{text}</td>'


def ranked_table(
    rank_by: str,
    columns: Sequence[str],
    best: Sequence[list[str]],
    worst: Sequence[list[str]],
    *,
    title_column: str,
    table_class: str = "films",
    ids: tuple[Sequence[int], Sequence[int]] = ((), ()),
) -> str:
    """The best (B1, ...) and the worst (W1, ...) of a genre. ``columns`` name every column after "#";
    the one named ``title_column`` is the wide one. Each row's cells follow "#": plain text is put in
    a ``<td>``, a cell that is already a ``<td ...>`` is kept. ``ids`` (the TMDB ids of the best and
    of the worst) put ``data-tmdb-id`` and ``data-rank`` on each row, for readers of the page."""
    head = "".join(
        f'<th class="title">{h}</th>' if h == title_column else f"<th>{h}</th>" for h in ("#", *columns)
    )
    rows = [
        _row(group, rank, cells, group_ids[rank - 1] if rank <= len(group_ids) else None)
        for group, groups, group_ids in (("best", best, ids[0]), ("worst", worst, ids[1]))
        for rank, cells in enumerate(groups, 1)
    ]
    return (
        f"<h3>The {len(best)} best (B) and {len(worst)} worst (W) by {e(rank_by)}</h3>"
        f'<div class="table-wrap"><table class="{table_class}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _row(group: str, rank: int, cells: list[str], tmdb_id: int | None) -> str:
    code = f"{group[0].upper()}{rank}"
    tds = "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in [code, *cells])
    data = "" if tmdb_id is None else f' data-tmdb-id="{tmdb_id}" data-rank="{code}"'
    return f'<tr class="{group}"{data}>{tds}</tr>'


def figures_tables(
    figures: Sequence[tuple[str, str, str]],
    correlations: dict[str, float | None],
    eligible: int,
    noun: str,
    *,
    between: str = "",
) -> str:
    """The summary (a figure, its best and its worst value a row), ``between`` (HTML), then the
    Spearman correlations over all ``eligible`` ``noun``."""
    body = "".join(f"<tr><td>{e(a)}</td><td>{b}</td><td>{c}</td></tr>" for a, b, c in figures)
    corr = "".join(
        f"<tr><td>{e(key)}</td><td>{fmt(rho, signed=True)}</td></tr>" for key, rho in correlations.items()
    )
    return (
        '<h3>Summary</h3><div class="table-wrap"><table class="summary">'
        "<thead><tr><th>figure</th><th>best</th><th>worst</th></tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
        f"{between}"
        f"<h3>Spearman rank correlations over all {eligible:,} eligible {noun}</h3>"
        '<div class="table-wrap"><table class="correlations"><thead><tr><th>pair</th><th>ρ</th></tr></thead>'
        f"<tbody>{corr}</tbody></table></div>"
    )
