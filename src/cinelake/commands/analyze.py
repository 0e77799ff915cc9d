"""`cinelake analyze` and `cinelake report`: the lake's answers on the terminal and as an HTML page."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cinelake.commands.common import TMDB_NOTICE, LakeOption, console, err_console, is_interactive, open_lake

if TYPE_CHECKING:
    from rich.console import RenderableType

    from cinelake.analysis.model import Analysis, Answer, Film, GenreResult
    from cinelake.analysis.series_model import Series, SeriesAnalysis, SeriesGenreResult
    from cinelake.lake.store import Lake

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
    lake: Lake, chosen: Asked, top: int, min_votes: int | None, rank_by: str, engine: str
) -> Analysis:
    from cinelake.analysis import budget_vs_revenue

    with console.status("reading the lake ...", spinner="dots") if is_interactive() else nullcontext():
        return budget_vs_revenue(
            lake,
            genres=chosen.genres,
            top=top,
            min_votes=FILMS_MIN_VOTES if min_votes is None else min_votes,
            rank_by=rank_by,
            engine=engine,
            **chosen.selection(),
        )


def _run_series(
    lake: Lake,
    chosen: Asked,
    top: int,
    min_votes: int | None,
    rank_by: str,
    engine: str,
    *,
    required: bool,
) -> SeriesAnalysis | None:
    """The series answer; with ``required`` false, None when the lake holds no series (and
    ``rank_by`` falls back to vote_average when it is not a series key)."""
    from cinelake.analysis import NoAnalysisData
    from cinelake.analysis.series_answer import best_and_worst_series
    from cinelake.analysis.series_model import SERIES_MIN_VOTES, SERIES_RANK_BY_CHOICES
    from cinelake.errors import CinelakeError

    if not required and rank_by not in SERIES_RANK_BY_CHOICES:
        rank_by = "vote_average"
    with console.status("reading the series ...", spinner="dots") if is_interactive() else nullcontext():
        try:
            answer = best_and_worst_series(
                lake,
                genres=chosen.genres,
                top=top,
                min_votes=SERIES_MIN_VOTES if min_votes is None else min_votes,
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
    store = open_lake(lake)
    analysis = None
    if kind is not AnswerKind.SERIES:
        analysis = _run_analysis(store, chosen, top, min_votes, rank_by, engine.value)
    series = None
    if kind is not AnswerKind.MOVIES:
        required = kind is AnswerKind.SERIES
        series = _run_series(store, chosen, top, min_votes, rank_by, engine.value, required=required)
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
        print_vintage(store)


def print_vintage(lake: Lake) -> None:
    """The line saying how old the lake's TMDB values are, when it came from the packaged snapshot."""
    from cinelake.analysis.freshness import data_vintage, vintage_sentence

    sentence = vintage_sentence(data_vintage(lake))
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
    store = open_lake(lake)
    analysis = _run_analysis(store, chosen, top, min_votes, rank_by, Engine.DUCKDB.value)
    series = _run_series(store, chosen, top, min_votes, rank_by, Engine.DUCKDB.value, required=False)
    with console.status("drawing the report ...", spinner="dots") if is_interactive() else nullcontext():
        path = write_report(store, out, analysis=analysis, series=series)
    console.print(f"report: {path}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `analyze` and `report` as top-level commands of ``app``."""
    app.command("analyze")(analyze)
    app.command("report")(report)


# --- rendering -------------------------------------------------------------------------------------


def print_analysis(analysis: Analysis, *, notice: bool = True) -> None:
    from cinelake.analysis.reading import genre_reading

    rank_by = analysis.definition.rank_by
    _print_answer(
        analysis,
        title="Budget vs revenue: the definition",
        noun="films",
        genre_suffix="",
        tables=lambda r: [_films_table(r, rank_by), _summary_table(r)],
        reading=lambda r: genre_reading(r, rank_by),
        notice=notice,
    )


def print_series(series: SeriesAnalysis) -> None:
    from cinelake.analysis.reading import series_reading

    _print_answer(
        series,
        title=f"Series: best and worst by {series.definition.rank_by}, and popularity",
        noun="series",
        genre_suffix=" series",
        tables=lambda r: [_series_table(r, series.definition.rank_by), _series_summary_table(r)],
        reading=series_reading,
        notice=True,
    )


def _print_answer(
    answer: Answer,
    *,
    title: str,
    noun: str,
    genre_suffix: str,
    tables: Callable[[Any], list[RenderableType]],
    reading: Callable[[Any], str],
    notice: bool,
) -> None:
    """The definition, the source, then per genre its notes, tables (when any title is eligible) and
    reading; ``noun`` counts the source's rows, ``genre_suffix`` follows the genre in its heading."""
    from rich.panel import Panel

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
        console.print(f"[bold]source[/]: {src.description}: {src.films:,} {noun} at {src.location}{snapshot}")
    for result in answer.genres.values():
        console.rule(f"[bold]{result.genre}{genre_suffix}[/] · {result.eligible:,} eligible")
        for note in result.notes:
            console.print(f"[yellow]note:[/] {note}")
        if result.eligible:
            for table in tables(result):
                console.print(table)
        console.print(reading(result), soft_wrap=False)
        console.print()
    if notice:
        console.print(f"[dim]{TMDB_NOTICE}[/]")


def _ranked_table(
    title: str, label: str, columns: Sequence[str], best: list[list[str]], worst: list[list[str]]
) -> RenderableType:
    """The best (B1, B2, ...) and the worst (W1, ...) of a genre: a title column ``label`` that folds,
    then the right-aligned ``columns``; each row's cells are the title and those columns."""
    from rich import box
    from rich.table import Table

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#")
    table.add_column(label, overflow="fold", ratio=1)
    for name in columns:
        table.add_column(name, justify="right", no_wrap=True)
    for group, rows in (("B", best), ("W", worst)):
        for rank, cells in enumerate(rows, 1):
            table.add_row(f"{group}{rank}", *cells)
        if group == "B" and worst:
            table.add_section()
    return table


def _figures_table(
    title: str, figures: list[tuple[str, str, str]], correlations: dict[str, float | None]
) -> RenderableType:
    """A genre's figures for its best and its worst, then its Spearman correlations."""
    from rich import box
    from rich.table import Table

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("figure")
    table.add_column("best", justify="right")
    table.add_column("worst", justify="right")
    for index, row in enumerate(figures):
        table.add_row(*row, end_section=index == len(figures) - 1)
    for key, rho in correlations.items():
        table.add_row(f"ρ {key.replace('_', ' vs ', 1)}", _num(rho, 2, signed=True), "(all eligible)")
    return table


def _title(name: str | None, tmdb_id: int, year: int | None) -> str:
    return (name or f"TMDB {tmdb_id}") + (f" ({year})" if year else "")


def _series_table(result: SeriesGenreResult, rank_by: str) -> RenderableType:
    return _ranked_table(
        f"{result.genre} series: best (B) and worst (W) by {rank_by} (TV has no budget or revenue)",
        "series",
        ("vote", "votes", "pop.", "seasons", "episodes"),
        [_series_cells(show) for show in result.best],
        [_series_cells(show) for show in result.worst],
    )


def _series_cells(show: Series) -> list[str]:
    return [
        _title(show.name, show.tmdb_id, show.first_air_year),
        _num(show.vote_average, 1),
        f"{show.vote_count:,}",
        _num(show.popularity, 2),
        "n/a" if show.seasons is None else str(show.seasons),
        "n/a" if show.episodes is None else str(show.episodes),
    ]


def _series_summary_table(result: SeriesGenreResult) -> RenderableType:
    best, worst = result.best_summary, result.worst_summary
    return _figures_table(
        f"{result.genre} series: medians and Spearman correlations",
        [
            ("series", str(best.count), str(worst.count)),
            ("median vote", _num(best.median_vote_average, 1), _num(worst.median_vote_average, 1)),
            ("median popularity", _num(best.median_popularity, 2), _num(worst.median_popularity, 2)),
            ("median seasons", _num(best.median_seasons, 1), _num(worst.median_seasons, 1)),
            ("median episodes", _num(best.median_episodes, 1), _num(worst.median_episodes, 1)),
        ],
        result.correlations,
    )


def _films_table(result: GenreResult, rank_by: str) -> RenderableType:
    return _ranked_table(
        f"{result.genre}: best (B) and worst (W) by {rank_by}; money in US$ millions",
        "title",
        ("vote", "votes", "budget", "revenue", "ROI", "pop."),
        [_film_cells(film) for film in result.best],
        [_film_cells(film) for film in result.worst],
    )


def _film_cells(film: Film) -> list[str]:
    return [
        _title(film.title, film.tmdb_id, film.release_year),
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
    best, worst = result.best_summary, result.worst_summary
    return _figures_table(
        f"{result.genre}: summary and Spearman correlations",
        [
            ("films", str(best.count), str(worst.count)),
            ("median ROI", _num(best.median_roi, 2, "×"), _num(worst.median_roi, 2, "×")),
            ("total budget", f"{best.total_budget:,}", f"{worst.total_budget:,}"),
            ("total revenue", f"{best.total_revenue:,}", f"{worst.total_revenue:,}"),
            ("median popularity", _num(best.median_popularity, 2), _num(worst.median_popularity, 2)),
            ("median popularity, best - worst", _num(result.median_popularity_difference, 2), ""),
        ],
        result.correlations,
    )


def _num(value: float | None, digits: int, suffix: str = "", *, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:{'+' if signed else ''}.{digits}f}{suffix}"
