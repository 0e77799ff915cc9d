"""`cinelake analyze` and `cinelake report`: the lake's answers on the terminal and as an HTML page."""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cinelake.commands.common import TMDB_NOTICE, LakeOption, console, err_console, is_interactive, lake_url

if TYPE_CHECKING:
    from rich.console import RenderableType

    from cinelake.analysis.model import Analysis, GenreResult, Record


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
GenreOption = Annotated[
    list[str] | None,
    typer.Option(
        "--genre",
        help="A TMDB genre name (case-insensitive); repeat it to answer one group of the titles having "
        "any or all of them (see --match). Replaces --genres.",
        show_default=False,
    ),
]
MatchOption = Annotated[
    str | None,
    typer.Option(
        "--match",
        help="any: a title with any of the genres belongs to the group; all: only a title with all of "
        "them. Given, the genres form one group (any unless told, with --genre); not given, --genres "
        "answers each genre on its own.",
        show_default=False,
    ),
]
YearFromOption = Annotated[
    int | None,
    typer.Option(
        "--year-from", help="First release year (first-air year for series) to include.", show_default=False
    ),
]
YearToOption = Annotated[
    int | None,
    typer.Option(
        "--year-to", help="Latest release year (first-air year for series) to include.", show_default=False
    ),
]
TopOption = Annotated[
    int,
    typer.Option("--top", min=1, max=20, help="How many best and how many worst titles per genre (1 to 20)."),
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
        "revenue. Series rank on vote_average or popularity (with --kind both, on vote_average when the "
        "films' key is not a series one).",
    ),
]


def _genres(text: str) -> list[str]:
    return [g.strip() for g in text.split(",") if g.strip()]


@dataclass(frozen=True)
class Asked:
    """The selection the command line asks for: the genres, how they combine and the years; and the
    moment the tables are read at (``--as-of``: a collection day or a snapshot id; None: now)."""

    genres: list[str]
    match: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    as_of: str | None = None

    def selection(self) -> dict[str, Any]:
        return {
            "match": self.match,
            "year_from": self.year_from,
            "year_to": self.year_to,
            "as_of": self.as_of,
        }


def asked(
    genres: str,
    genre: list[str] | None,
    match: str | None,
    year_from: int | None,
    year_to: int | None,
    as_of: str | None = None,
) -> Asked:
    """``--genre`` (repeated) forms one group, matched by ``--match`` (any unless told); ``--genres``
    answers each genre on its own unless ``--match`` is given."""
    if genre:
        return Asked(list(genre), match or "any", year_from, year_to, as_of)
    return Asked(_genres(genres), match, year_from, year_to, as_of)


def _run_analysis(
    lake: str | None, chosen: Asked, top: int, min_votes: int | None, rank_by: str, engine: str
) -> Analysis:
    from cinelake.analysis import FILMS, answer

    with console.status("reading the lake ...", spinner="dots") if is_interactive() else nullcontext():
        return answer(
            lake_url(lake),
            FILMS,
            genres=chosen.genres,
            top=top,
            min_votes=min_votes,
            rank_by=rank_by,
            engine=engine,
            **chosen.selection(),
        )


def _run_series(
    lake: str | None,
    chosen: Asked,
    top: int,
    min_votes: int | None,
    rank_by: str,
    engine: str,
    *,
    required: bool,
) -> Analysis | None:
    """The series answer; with ``required`` false, None when the lake holds no series (and
    ``rank_by`` falls back to vote_average when it is not a series key)."""
    from cinelake.analysis import SERIES, NoAnalysisData, answer
    from cinelake.errors import CinelakeError

    if not required and rank_by not in SERIES.rank_keys:
        rank_by = "vote_average"
    with console.status("reading the series ...", spinner="dots") if is_interactive() else nullcontext():
        try:
            found = answer(
                lake_url(lake),
                SERIES,
                genres=chosen.genres,
                top=top,
                min_votes=min_votes,
                rank_by=rank_by,
                engine=engine,
                **chosen.selection(),
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
    if not required and found.source is not None and found.source.titles == 0:
        return None
    return found


def answer_document(analysis: Analysis | None, series: Analysis | None, kind: str) -> dict[str, Any]:
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
    genre: GenreOption = None,
    match: MatchOption = None,
    year_from: YearFromOption = None,
    year_to: YearToOption = None,
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
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Answer as the lake stood at the end of this collection day (YYYY-MM-DD) or at this "
            "Iceberg snapshot id of the Refined tables (duckdb only).",
            show_default=False,
        ),
    ] = None,
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
    chosen = asked(genres, genre, match, year_from, year_to, as_of)
    analysis = None
    if kind is not AnswerKind.SERIES:
        analysis = _run_analysis(lake, chosen, top, min_votes, rank_by, engine.value)
    series = None
    if kind is not AnswerKind.MOVIES:
        required = kind is AnswerKind.SERIES
        series = _run_series(lake, chosen, top, min_votes, rank_by, engine.value, required=required)
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
    if engine is Engine.DUCKDB:
        print_vintage(lake_url(lake))


def print_vintage(lake: str) -> None:
    """The line saying how old the lake's TMDB values are, when it came from the packaged snapshot."""
    from cinelake.analysis.freshness import data_vintage, vintage_sentence
    from cinelake.lake.store import Lake

    sentence = vintage_sentence(data_vintage(Lake(lake)))
    if sentence:
        console.print(f"[bold]data[/]: {sentence}", highlight=False)


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

    chosen = asked(genres, None, None, None, None)
    analysis = _run_analysis(lake, chosen, top, min_votes, rank_by, Engine.DUCKDB.value)
    series = _run_series(lake, chosen, top, min_votes, rank_by, Engine.DUCKDB.value, required=False)
    with console.status("drawing the report ...", spinner="dots") if is_interactive() else nullcontext():
        path = write_report(lake_url(lake), out, analysis=analysis, series=series)
    console.print(f"report: {path}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `analyze` and `report` as top-level commands of ``app``."""
    app.command("analyze")(analyze)
    app.command("report")(report)


# --- rendering -------------------------------------------------------------------------------------


def print_analysis(analysis: Analysis, *, notice: bool = True) -> None:
    """The films' answer on the terminal."""
    _print_answer(analysis, title="Budget vs revenue: the definition", genre_suffix="", notice=notice)


def print_series(series: Analysis) -> None:
    """The series' answer on the terminal."""
    _print_answer(
        series,
        title=f"Series: best and worst by {series.definition.rank_by}, and popularity",
        genre_suffix=" series",
        notice=True,
    )


def _print_answer(answer: Analysis, *, title: str, genre_suffix: str, notice: bool) -> None:
    """The definition, the source, then per genre its notes, tables (when any title is eligible) and
    reading; ``genre_suffix`` follows the genre in its heading."""
    from rich.panel import Panel

    kind, rank_by = answer.kind, answer.definition.rank_by
    statements = answer.definition.statements()
    console.print(
        Panel(
            "\n".join(f"[bold]{key}[/]: {text}" for key, text in statements.items()),
            title=title,
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
        console.rule(f"[bold]{result.genre}{genre_suffix}[/] · {result.eligible:,} eligible")
        for note in result.notes:
            console.print(f"[yellow]note:[/] {note}")
        if result.eligible:
            console.print(_titles_table(result, answer, genre_suffix))
            console.print(_summary_table(result, answer, genre_suffix))
        console.print(kind.reading(result, rank_by), soft_wrap=False)
        console.print()
    if notice:
        console.print(f"[dim]{TMDB_NOTICE}[/]")


def _titles_table(result: GenreResult, answer: Analysis, genre_suffix: str) -> RenderableType:
    """The best (B1, B2, ...) and the worst (W1, ...) of a genre in the kind's terminal columns: the
    first (the title) folds, the others are right-aligned."""
    from rich import box
    from rich.table import Table

    kind = answer.kind
    what = "money in US$ millions" if kind.no_money is None else "TV has no budget or revenue"
    title = f"{result.genre}{genre_suffix}: best (B) and worst (W) by {answer.definition.rank_by}; {what}"
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#")
    columns = kind.terminal_columns
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
    from cinelake.analysis.kinds import cell_text

    value = getattr(item, field)
    if format == "title":
        year = getattr(item, year_field)
        return (value or f"TMDB {item.tmdb_id}") + (f" ({year})" if year else "")
    if format == "money":
        return f"{value / 1_000_000:,.1f}"
    return cell_text(format, value)


def _summary_table(result: GenreResult, answer: Analysis, genre_suffix: str) -> RenderableType:
    """A genre's figures for its best and its worst, then its Spearman correlations."""
    from rich import box
    from rich.table import Table

    from cinelake.analysis.kinds import cell_text

    title = f"{result.genre}{genre_suffix}: summary and Spearman correlations"
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
        (f"{key.replace('_', ' ')}, best - worst", _num(result.difference(key), 2), "")
        for key in result.differences
    ]
    for index, row in enumerate(figures):
        table.add_row(*row, end_section=index == len(figures) - 1)
    for key, rho in result.correlations.items():
        table.add_row(f"ρ {key.replace('_', ' vs ', 1)}", _num(rho, 2, signed=True), "(all eligible)")
    return table


def _num(value: float | None, digits: int, suffix: str = "", *, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:{'+' if signed else ''}.{digits}f}{suffix}"
