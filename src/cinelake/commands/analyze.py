"""`cinelake analyze` and `cinelake report`: the lake's answers on the terminal and as an HTML page."""

from __future__ import annotations

from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cinelake.commands.common import TMDB_NOTICE, LakeOption, console, err_console, is_interactive, lake_url

if TYPE_CHECKING:
    from rich.console import RenderableType

    from cinelake.analysis.model import Analysis, Film, GenreResult


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class Engine(StrEnum):
    DUCKDB = "duckdb"
    ATHENA = "athena"


GenresOption = Annotated[
    str,
    typer.Option("--genres", help="Comma-separated TMDB genre names to answer for (case-insensitive)."),
]
TopOption = Annotated[
    int, typer.Option("--top", min=1, help="How many best and how many worst films per genre.")
]
MinVotesOption = Annotated[
    int, typer.Option("--min-votes", min=0, help="Least TMDB vote_count for a film to be eligible.")
]
RankByOption = Annotated[
    str,
    typer.Option(
        "--rank-by",
        help="What 'best' and 'worst' rank on: vote_average, vote_count, popularity, roi, profit or revenue.",
    ),
]


def _genres(text: str) -> list[str]:
    return [g.strip() for g in text.split(",") if g.strip()]


def _run_analysis(
    lake: str | None, genres: str, top: int, min_votes: int, rank_by: str, engine: str
) -> Analysis:
    from cinelake.analysis import budget_vs_revenue

    with console.status("reading the lake ...", spinner="dots") if is_interactive() else nullcontext():
        return budget_vs_revenue(
            lake_url(lake),
            genres=_genres(genres),
            top=top,
            min_votes=min_votes,
            rank_by=rank_by,
            engine=engine,
        )


def analyze(
    lake: LakeOption = None,
    genres: GenresOption = "Comedy,Animation",
    top: TopOption = 5,
    min_votes: MinVotesOption = 100,
    rank_by: RankByOption = "vote_average",
    output: Annotated[
        OutputFormat,
        typer.Option(
            "--format", help="table: rich tables and a plain reading; json: exactly one JSON object."
        ),
    ] = OutputFormat.TABLE,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Also write analysis.json into this folder.", show_default=False),
    ] = None,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="duckdb: in process over the lake's files; athena: the Refined tables of the Glue "
            "database (CINELAKE_CATALOG_DATABASE) in Amazon Athena, in the workgroup "
            "CINELAKE_ATHENA_WORKGROUP (default: primary).",
        ),
    ] = Engine.DUCKDB,
) -> None:
    """Budget vs revenue of the best and worst films of each genre, and whether popularity follows.

    Eligible: the film's TMDB genres include the genre, budget >= 1,000 and revenue >= 1,000 (smaller is
    TMDB's 'unknown'), vote_count >= --min-votes. Best: --rank-by descending, then vote_count descending,
    then TMDB id ascending; worst: --rank-by ascending with the same tie-breaks. Reads the Refined tables,
    or the Raw TMDB movies where Refined is not there yet (the output says which).
    """
    analysis = _run_analysis(lake, genres, top, min_votes, rank_by, engine.value)
    if out is not None:
        path = write_analysis_json(analysis, out)
        err_console.print(f"wrote {path}", highlight=False)
    if output is OutputFormat.JSON:
        typer.echo(analysis.to_json())
        return
    print_analysis(analysis)


def write_analysis_json(analysis: Analysis, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "analysis.json"
    path.write_text(analysis.to_json() + "\n", encoding="utf-8")
    return path


def report(
    lake: LakeOption = None,
    out: Annotated[Path, typer.Option("--out", help="Folder the HTML page is written to.")] = Path("reports"),
    genres: GenresOption = "Comedy,Animation",
    top: TopOption = 5,
    min_votes: MinVotesOption = 100,
    rank_by: RankByOption = "vote_average",
) -> None:
    """Write one self-contained HTML page (charts, tables, definition, freshness) that works offline."""
    from cinelake.analysis.report import report as write_report

    analysis = _run_analysis(lake, genres, top, min_votes, rank_by, Engine.DUCKDB.value)
    with console.status("drawing the report ...", spinner="dots") if is_interactive() else nullcontext():
        path = write_report(lake_url(lake), out, analysis=analysis)
    console.print(f"report: {path}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `analyze` and `report` as top-level commands of ``app``."""
    app.command("analyze")(analyze)
    app.command("report")(report)


# --- rendering -------------------------------------------------------------------------------------


def print_analysis(analysis: Analysis) -> None:
    from rich.panel import Panel

    from cinelake.analysis.reading import genre_reading

    definition = analysis.definition
    statements = definition.statements()
    console.print(
        Panel(
            "\n".join(f"[bold]{key}[/]: {text}" for key, text in statements.items()),
            title="Budget vs revenue: the definition",
            expand=False,
        )
    )
    if analysis.source is not None:
        src = analysis.source
        snapshot = f", newest data {src.snapshot}" if src.snapshot else ""
        console.print(f"[bold]source[/]: {src.description}: {src.films:,} films at {src.location}{snapshot}")
    for result in analysis.genres.values():
        console.rule(f"[bold]{result.genre}[/] · {result.eligible:,} eligible")
        for note in result.notes:
            console.print(f"[yellow]note:[/] {note}")
        if result.eligible:
            console.print(_films_table(result, definition.rank_by))
            console.print(_summary_table(result))
        console.print(genre_reading(result, definition.rank_by), soft_wrap=False)
        console.print()
    console.print(f"[dim]{TMDB_NOTICE}[/]")


def _films_table(result: GenreResult, rank_by: str) -> RenderableType:
    from rich import box
    from rich.table import Table

    table = Table(
        title=f"{result.genre}: best (B) and worst (W) by {rank_by}; money in US$ millions",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("#")
    table.add_column("title", overflow="fold", ratio=1)
    for name in ("vote", "votes", "budget", "revenue", "ROI", "pop."):
        table.add_column(name, justify="right", no_wrap=True)
    for group, films in (("B", result.best), ("W", result.worst)):
        for rank, film in enumerate(films, 1):
            table.add_row(f"{group}{rank}", *_film_cells(film))
        if group == "B" and result.worst:
            table.add_section()
    return table


def _film_cells(film: Film) -> list[str]:
    return [
        f"{film.title or f'TMDB {film.tmdb_id}'}" + (f" ({film.release_year})" if film.release_year else ""),
        _num(film.vote_average, 1),
        f"{film.vote_count:,}",
        _millions(film.budget),
        _millions(film.revenue),
        f"{film.roi:.2f}×",
        _num(film.popularity, 2),
    ]


def _millions(amount: int) -> str:
    return f"{amount / 1_000_000:,.1f}"


def _summary_table(result: GenreResult) -> RenderableType:
    from rich.table import Table

    best, worst = result.best_summary, result.worst_summary
    from rich import box

    table = Table(
        title=f"{result.genre}: summary and Spearman correlations",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("figure")
    table.add_column("best", justify="right")
    table.add_column("worst", justify="right")
    table.add_row("films", str(best.count), str(worst.count))
    table.add_row("median ROI", _num(best.median_roi, 2, "×"), _num(worst.median_roi, 2, "×"))
    table.add_row("total budget", f"{best.total_budget:,}", f"{worst.total_budget:,}")
    table.add_row("total revenue", f"{best.total_revenue:,}", f"{worst.total_revenue:,}")
    table.add_row("median popularity", _num(best.median_popularity, 2), _num(worst.median_popularity, 2))
    table.add_row(
        "median popularity, best - worst", _num(result.median_popularity_difference, 2), "", end_section=True
    )
    for key, rho in result.correlations.items():
        table.add_row(f"ρ {key.replace('_', ' vs ', 1)}", _num(rho, 2, signed=True), "(all eligible)")
    return table


def _num(value: float | None, digits: int, suffix: str = "", *, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:{'+' if signed else ''}.{digits}f}{suffix}"
