"""`cinelake analyze` and `cinelake report`: the lake's answers on the terminal and as an HTML page."""

from __future__ import annotations

import json
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cinelake.commands.common import TMDB_NOTICE, LakeOption, console, err_console, is_interactive, lake_url

if TYPE_CHECKING:
    from rich.console import RenderableType

    from cinelake.analysis.model import Analysis, Film, GenreResult
    from cinelake.analysis.series_model import SeriesAnalysis, SeriesGenreResult

FILMS_MIN_VOTES = 100


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class Engine(StrEnum):
    DUCKDB = "duckdb"
    ATHENA = "athena"


class AnswerKind(StrEnum):
    MOVIES = "movies"
    SERIES = "series"
    BOTH = "both"


KindOption = Annotated[
    AnswerKind,
    typer.Option(
        "--kind",
        help="movies: the films' answer; series: the series' answer; both: the films' answer with the "
        'series\' beside it (in JSON under "series", null when the lake holds no series).',
    ),
]


GenresOption = Annotated[
    str,
    typer.Option("--genres", help="Comma-separated TMDB genre names to answer for (case-insensitive)."),
]
TopOption = Annotated[
    int, typer.Option("--top", min=1, help="How many best and how many worst films per genre.")
]
MinVotesOption = Annotated[
    int | None,
    typer.Option(
        "--min-votes",
        min=0,
        help="Least TMDB vote_count to be eligible: 100 for films and 50 for series unless given (the "
        "series' 2019 sample has far fewer votes; docs/analysis.md says why).",
        show_default=False,
    ),
]
RankByOption = Annotated[
    str,
    typer.Option(
        "--rank-by",
        help="What 'best' and 'worst' films rank on: vote_average, vote_count, popularity, roi, profit or "
        "revenue (series always rank on vote_average).",
    ),
]


def _genres(text: str) -> list[str]:
    return [g.strip() for g in text.split(",") if g.strip()]


def _run_analysis(
    lake: str | None, genres: str, top: int, min_votes: int | None, rank_by: str, engine: str
) -> Analysis:
    from cinelake.analysis import budget_vs_revenue

    with console.status("reading the lake ...", spinner="dots") if is_interactive() else nullcontext():
        return budget_vs_revenue(
            lake_url(lake),
            genres=_genres(genres),
            top=top,
            min_votes=FILMS_MIN_VOTES if min_votes is None else min_votes,
            rank_by=rank_by,
            engine=engine,
        )


def _run_series(
    lake: str | None, genres: str, top: int, min_votes: int | None, engine: str, *, required: bool
) -> SeriesAnalysis | None:
    """The series answer; with ``required`` false, None when the lake holds no series."""
    from cinelake.analysis import NoAnalysisData
    from cinelake.analysis.series_answer import best_and_worst_series
    from cinelake.analysis.series_model import SERIES_MIN_VOTES
    from cinelake.errors import CinelakeError

    with console.status("reading the series ...", spinner="dots") if is_interactive() else nullcontext():
        try:
            answer = best_and_worst_series(
                lake_url(lake),
                genres=_genres(genres),
                top=top,
                min_votes=SERIES_MIN_VOTES if min_votes is None else min_votes,
                engine=engine,
            )
        except NoAnalysisData:
            if required:
                raise
            return None
        except CinelakeError as exc:
            if required:
                raise
            # Beside the films (--kind both), a lake whose series cannot be read (an older Glue
            # database without the series tables, a film genre TV lacks) still gets the films' answer.
            err_console.print(f"series: not answered ({exc})", highlight=False, markup=False)
            return None
    if not required and answer.source is not None and answer.source.films == 0:
        return None
    return answer


def answer_document(analysis: Analysis | None, series: SeriesAnalysis | None, kind: str) -> dict[str, Any]:
    """The JSON object ``cinelake analyze --format json`` prints for ``kind`` (docs/analysis.md)."""
    if kind == AnswerKind.SERIES:
        assert series is not None
        return series.to_dict()
    assert analysis is not None
    document = analysis.to_dict()
    if kind == AnswerKind.BOTH:
        document["series"] = series.to_dict() if series is not None else None
    return document


def analyze(
    lake: LakeOption = None,
    kind: KindOption = AnswerKind.BOTH,
    genres: GenresOption = "Comedy,Animation",
    top: TopOption = 5,
    min_votes: MinVotesOption = None,
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

    Series (--kind series or both): the best and worst series of each genre by vote_average (eligible:
    vote_count >= --min-votes, default 50), their popularity, seasons and episodes, and Spearman
    correlations of popularity with vote_average, seasons and episodes. TMDB's TV endpoints have no
    budget or revenue, so the series answer has no money figures.
    """
    analysis = None
    if kind is not AnswerKind.SERIES:
        analysis = _run_analysis(lake, genres, top, min_votes, rank_by, engine.value)
    series = None
    if kind is not AnswerKind.MOVIES:
        series = _run_series(lake, genres, top, min_votes, engine.value, required=kind is AnswerKind.SERIES)
    document = answer_document(analysis, series, kind.value)
    if out is not None:
        path = write_answer_json(document, out)
        err_console.print(f"wrote {path}", highlight=False)
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    if analysis is not None:
        print_analysis(analysis, notice=kind is AnswerKind.MOVIES)
    if kind is AnswerKind.BOTH and series is None:
        console.print("[bold]series[/]: the lake holds no TMDB series (ingest them with --kind series)")
        console.print(f"[dim]{TMDB_NOTICE}[/]")
    if series is not None:
        print_series(series)


def write_analysis_json(analysis: Analysis, out_dir: Path) -> Path:
    return write_answer_json(analysis.to_dict(), out_dir)


def write_answer_json(document: dict[str, Any], out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "analysis.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def report(
    lake: LakeOption = None,
    out: Annotated[Path, typer.Option("--out", help="Folder the HTML page is written to.")] = Path("reports"),
    genres: GenresOption = "Comedy,Animation",
    top: TopOption = 5,
    min_votes: MinVotesOption = None,
    rank_by: RankByOption = "vote_average",
) -> None:
    """Write one self-contained HTML page (charts, tables, definition, freshness) that works offline;
    when the lake holds series, a series section follows the films'."""
    from cinelake.analysis.report import report as write_report

    analysis = _run_analysis(lake, genres, top, min_votes, rank_by, Engine.DUCKDB.value)
    series = _run_series(lake, genres, top, min_votes, Engine.DUCKDB.value, required=False)
    with console.status("drawing the report ...", spinner="dots") if is_interactive() else nullcontext():
        path = write_report(lake_url(lake), out, analysis=analysis, series=series)
    console.print(f"report: {path}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `analyze` and `report` as top-level commands of ``app``."""
    app.command("analyze")(analyze)
    app.command("report")(report)


# --- rendering -------------------------------------------------------------------------------------


def print_analysis(analysis: Analysis, *, notice: bool = True) -> None:
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
    if notice:
        console.print(f"[dim]{TMDB_NOTICE}[/]")


def print_series(series: SeriesAnalysis) -> None:
    from rich.panel import Panel

    from cinelake.analysis.reading import series_reading

    statements = series.definition.statements()
    console.print(
        Panel(
            "\n".join(f"[bold]{key}[/]: {text}" for key, text in statements.items()),
            title="Series: best and worst by vote_average, and popularity",
            expand=False,
        )
    )
    if series.source is not None:
        src = series.source
        snapshot = f", newest data {src.snapshot}" if src.snapshot else ""
        console.print(f"[bold]source[/]: {src.description}: {src.films:,} series at {src.location}{snapshot}")
    for result in series.genres.values():
        console.rule(f"[bold]{result.genre} series[/] · {result.eligible:,} eligible")
        for note in result.notes:
            console.print(f"[yellow]note:[/] {note}")
        if result.eligible:
            console.print(_series_table(result))
            console.print(_series_summary_table(result))
        console.print(series_reading(result), soft_wrap=False)
        console.print()
    console.print(f"[dim]{TMDB_NOTICE}[/]")


def _series_table(result: SeriesGenreResult) -> RenderableType:
    from rich import box
    from rich.table import Table

    table = Table(
        title=f"{result.genre} series: best (B) and worst (W) by vote_average (TV has no budget or revenue)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("#")
    table.add_column("series", overflow="fold", ratio=1)
    for name in ("vote", "votes", "pop.", "seasons", "episodes"):
        table.add_column(name, justify="right", no_wrap=True)
    for group, shows in (("B", result.best), ("W", result.worst)):
        for rank, show in enumerate(shows, 1):
            title = (show.name or f"TMDB {show.tmdb_id}") + (
                f" ({show.first_air_year})" if show.first_air_year else ""
            )
            table.add_row(
                f"{group}{rank}",
                title,
                _num(show.vote_average, 1),
                f"{show.vote_count:,}",
                _num(show.popularity, 2),
                "n/a" if show.seasons is None else str(show.seasons),
                "n/a" if show.episodes is None else str(show.episodes),
            )
        if group == "B" and result.worst:
            table.add_section()
    return table


def _series_summary_table(result: SeriesGenreResult) -> RenderableType:
    from rich import box
    from rich.table import Table

    best, worst = result.best_summary, result.worst_summary
    table = Table(
        title=f"{result.genre} series: medians and Spearman correlations",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("figure")
    table.add_column("best", justify="right")
    table.add_column("worst", justify="right")
    table.add_row("series", str(best.count), str(worst.count))
    table.add_row("median vote", _num(best.median_vote_average, 1), _num(worst.median_vote_average, 1))
    table.add_row("median popularity", _num(best.median_popularity, 2), _num(worst.median_popularity, 2))
    table.add_row("median seasons", _num(best.median_seasons, 1), _num(worst.median_seasons, 1))
    table.add_row(
        "median episodes", _num(best.median_episodes, 1), _num(worst.median_episodes, 1), end_section=True
    )
    for key, rho in result.correlations.items():
        table.add_row(f"ρ {key.replace('_', ' vs ', 1)}", _num(rho, 2, signed=True), "(all eligible)")
    return table


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
