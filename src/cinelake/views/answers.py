"""The analysis' answers where a command shows them: rich tables, the definition and a plain reading on
a terminal, or the one JSON document (printed or written to ``analysis.json``).

Each kind's tables take its declared columns and summary rows
(:class:`cinelake.analysis.kinds.TitleKind`), so films and series are drawn by the same code; the
commands (``analyze``, ``pipeline``) only parse their options, compute, and call here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cinelake.analysis.kinds import cell_text
from cinelake.attribution import TMDB_NOTICE

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from cinelake.analysis.model import Analysis, GenreResult, Record
    from cinelake.lake.store import Lake

ANSWER_NAME = "analysis.json"
# The heading of each kind's definition panel (by the kind's name).
PANEL_TITLES = {
    "movies": "Budget vs revenue: the definition",
    "series": "Series: best and worst by {rank_by}, and popularity",
}


def answer_document(analysis: Analysis | None, series: Analysis | None, kind: str) -> dict[str, Any]:
    """The JSON object ``cinelake analyze --format json`` prints for ``kind`` (``movies``, ``series``
    or ``both``: the films' answer with the series' under ``"series"``; docs/analysis.md)."""
    if kind == "series":
        assert series is not None
        return series.to_dict()
    assert analysis is not None
    document = analysis.to_dict()
    if kind == "both":
        document["series"] = series.to_dict() if series is not None else None
    return document


def write_answer_json(document: dict[str, Any], out_dir: Path) -> Path:
    """``document`` as ``<out_dir>/analysis.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / ANSWER_NAME
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def print_answer(console: Console, answer: Analysis, *, notice: bool = True) -> None:
    """The definition, the source, then per genre its notes, tables (when any title is eligible) and
    reading; then the TMDB notice, unless ``notice`` is false (another answer follows that shows it)."""
    from rich.panel import Panel

    kind, rank_by = answer.kind, answer.definition.rank_by
    statements = answer.definition.statements()
    console.print(
        Panel(
            "\n".join(f"[bold]{key}[/]: {text}" for key, text in statements.items()),
            title=PANEL_TITLES[kind.key].format(rank_by=rank_by),
            expand=False,
        )
    )
    if answer.source is not None:
        src = answer.source
        snapshot = f", collected from TMDB on {src.snapshot}" if src.snapshot else ""
        console.print(
            f"[bold]source[/]: {src.description}: {src.titles:,} {kind.plural} at {src.location}{snapshot}"
        )
    for result in answer.genres.values():
        heading = kind.genre_heading.format(genre=result.genre)
        console.rule(f"[bold]{heading}[/] · {result.eligible:,} eligible")
        for note in result.notes:
            console.print(f"[yellow]note:[/] {note}")
        if result.eligible:
            console.print(titles_table(result, answer))
            console.print(summary_table(result, answer))
        console.print(kind.reading(result, rank_by), soft_wrap=False)
        console.print()
    if notice:
        console.print(f"[dim]{TMDB_NOTICE}[/]")


def print_no_series(console: Console) -> None:
    """What ``--kind both`` says on a lake without series."""
    console.print("[bold]series[/]: the lake holds no TMDB series (ingest them with --kind series)")
    console.print(f"[dim]{TMDB_NOTICE}[/]")


def print_no_films(console: Console) -> None:
    """What ``--kind both`` says on a lake of series alone, before the series' answer."""
    console.print("[bold]films[/]: the lake holds no TMDB films (ingest them with `cinelake pipeline --csv`)")


def print_vintage(console: Console, lake: Lake) -> None:
    """The line saying how old the lake's TMDB values are, when it came from the packaged snapshot."""
    from cinelake.analysis.freshness import data_vintage, vintage_sentence

    sentence = vintage_sentence(data_vintage(lake))
    if sentence:
        console.print(f"[bold]data[/]: {sentence}", highlight=False)


def titles_table(result: GenreResult, answer: Analysis) -> RenderableType:
    """The best (B1, B2, ...) and the worst (W1, ...) of a genre in the kind's terminal columns: the
    first (the title) folds, the others are right-aligned."""
    from rich import box
    from rich.table import Table

    kind = answer.kind
    what = "money in US$ millions" if kind.no_money is None else "TV has no budget or revenue"
    heading = kind.genre_heading.format(genre=result.genre)
    title = f"{heading}: best (B) and worst (W) by {answer.definition.rank_by}; {what}"
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#")
    columns = kind.terminal_columns_for(answer.definition.rank_by)
    table.add_column(columns[0].header, overflow="fold", ratio=1)
    for column in columns[1:]:
        table.add_column(column.header, justify="right", no_wrap=True)
    for group, rows in (("B", result.best), ("W", result.worst)):
        for rank, item in enumerate(rows, 1):
            table.add_row(
                f"{group}{rank}", *(_cell(item, c.field, c.format, kind.year_field) for c in columns)
            )
        if group == "B" and result.worst:
            table.add_section()
    return table


def _cell(item: Record, field: str, format: str, year_field: str) -> str:
    value = getattr(item, field)
    if format == "title":
        year = getattr(item, year_field)
        return (value or f"TMDB {item.tmdb_id}") + (f" ({year})" if year else "")
    if format == "money":
        return f"{value / 1_000_000:,.1f}"
    return cell_text(format, value)


def summary_table(result: GenreResult, answer: Analysis) -> RenderableType:
    """A genre's figures for its best and its worst, then its Spearman correlations."""
    from rich import box
    from rich.table import Table

    heading = answer.kind.genre_heading.format(genre=result.genre)
    title = f"{heading}: summary and Spearman correlations"
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("figure")
    table.add_column("best", justify="right")
    table.add_column("worst", justify="right")
    best, worst = result.best_summary.values, result.worst_summary.values
    figures = [
        (label, cell_text(how, best[key]), cell_text(how, worst[key]))
        for label, key, how in answer.kind.summary_rows
    ]
    figures += [
        (f"{key.replace('_', ' ')}, best - worst", _num(result.difference(key)), "")
        for key in result.differences
    ]
    for index, row in enumerate(figures):
        table.add_row(*row, end_section=index == len(figures) - 1)
    for key, rho in result.correlations.items():
        table.add_row(f"ρ {key.replace('_', ' vs ', 1)}", _num(rho, signed=True), "(all eligible)")
    return table


def _num(value: float | None, *, signed: bool = False) -> str:
    return "n/a" if value is None else f"{value:{'+' if signed else ''}.2f}"
