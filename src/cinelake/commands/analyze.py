"""`cinelake analyze` and `cinelake report`: the lake's answers on the terminal and as an HTML page."""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cinelake.commands.common import (
    LakeOption,
    QueryEngine,
    RetiredEngineOption,
    console,
    err_console,
    is_interactive,
    open_lake,
    query_engine_option,
)

if TYPE_CHECKING:
    from cinelake.analysis.kinds import TitleKind
    from cinelake.analysis.model import Analysis
    from cinelake.lake.store import Lake


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


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
        help="What 'best' and 'worst' films rank on: vote_average, vote_count, popularity, roi, profit, "
        "revenue or imdb_rating (IMDB's rating from the local CSV; --min-votes then counts its "
        "imdb_votes, and a lake without any IMDB rating refuses it). Series rank on vote_average, "
        "popularity or imdb_rating (with --kind both, on vote_average when the films' key is not a "
        "series one).",
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
    from cinelake.analysis import FILMS

    return _answer(lake, FILMS, chosen, top, min_votes, rank_by, engine)


def _answer(
    lake: Lake, kind: TitleKind, chosen: Asked, top: int, min_votes: int | None, rank_by: str, engine: str
) -> Analysis:
    """The answer of one kind to the asked parameters, with a spinner on a terminal."""
    from cinelake.analysis import answer

    status = f"reading the {kind.plural} ..."
    with console.status(status, spinner="dots") if is_interactive() else nullcontext():
        return answer(
            lake,
            kind,
            genres=chosen.genres,
            top=top,
            min_votes=min_votes,
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
) -> Analysis | None:
    """The series answer; with ``required`` false, None when the lake holds no series (and
    ``rank_by`` falls back to vote_average when it is not a series key)."""
    from cinelake.analysis import SERIES, NoAnalysisData
    from cinelake.errors import CinelakeError

    if not required and rank_by not in SERIES.rank_keys:
        rank_by = "vote_average"
    try:
        found = _answer(lake, SERIES, chosen, top, min_votes, rank_by, engine)
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
        QueryEngine,
        query_engine_option(
            "Where the SQL runs. duckdb: in process over the lake's files; athena: the Refined tables of "
            "the Glue database (CINELAKE_CATALOG_DATABASE) in Amazon Athena, in the workgroup "
            "CINELAKE_ATHENA_WORKGROUP (default: primary)."
        ),
    ] = QueryEngine.DUCKDB,
    retired_engine: RetiredEngineOption = None,
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
    from cinelake.views.answers import (
        answer_document,
        print_answer,
        print_no_series,
        print_vintage,
        write_answer_json,
    )

    document = answer_document(analysis, series, kind.value)
    if out is not None:
        path = write_answer_json(document, out)
        err_console.print(f"wrote {path}", highlight=False)
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    if analysis is not None:
        print_answer(console, analysis, notice=kind is AnswerKind.MOVIES)
    if kind is AnswerKind.BOTH and series is None:
        print_no_series(console)
    if series is not None:
        print_answer(console, series)
    if engine is QueryEngine.DUCKDB:
        print_vintage(console, store)


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
    analysis = _run_analysis(store, chosen, top, min_votes, rank_by, QueryEngine.DUCKDB.value)
    series = _run_series(store, chosen, top, min_votes, rank_by, QueryEngine.DUCKDB.value, required=False)
    with console.status("drawing the report ...", spinner="dots") if is_interactive() else nullcontext():
        path = write_report(store, out, analysis=analysis, series=series)
    console.print(f"report: {path}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `analyze` and `report` as top-level commands of ``app``."""
    app.command("analyze")(analyze)
    app.command("report")(report)
