"""`cinelake analyze` and `cinelake report`: the lake's answers on the terminal and as an HTML page."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager, nullcontext
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
        'series\' beside it (in JSON under "series", null when the lake holds no series); a lake of '
        "series alone gets the series' answer, as with series.",
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

    def answer_params(self, top: int, min_votes: int | None, rank_by: str) -> dict[str, Any]:
        """The keyword arguments of :func:`cinelake.analysis.answer` for this selection."""
        return {
            "genres": self.genres,
            "top": top,
            "min_votes": min_votes,
            "rank_by": rank_by,
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


def _reading(kind: TitleKind) -> AbstractContextManager[object]:
    """A spinner on a terminal while a kind's titles are read."""
    return (
        console.status(f"reading the {kind.plural} ...", spinner="dots")
        if is_interactive()
        else nullcontext()
    )


def _answer(
    lake: Lake, kind: TitleKind, chosen: Asked, top: int, min_votes: int | None, rank_by: str, engine: str
) -> Analysis:
    """The answer of one kind to the asked parameters; a lake without the kind's titles is an error."""
    from cinelake.analysis import answer

    with _reading(kind):
        return answer(lake, kind, engine=engine, **chosen.answer_params(top, min_votes, rank_by))


def _answer_if_held(
    lake: Lake, kind: TitleKind, chosen: Asked, top: int, min_votes: int | None, rank_by: str, engine: str
) -> tuple[Analysis | None, str]:
    """The answer of one kind beside another's: None when the lake holds none of its titles, and None
    with why (also said on stderr) when it cannot be answered. ``rank_by`` falls back to vote_average
    when it is not one of the kind's keys."""
    from cinelake.analysis.answer import answer_if_held

    if rank_by not in kind.rank_keys:
        rank_by = "vote_average"
    with _reading(kind):
        params = chosen.answer_params(top, min_votes, rank_by)
        found, why_not = answer_if_held(lake, kind, engine=engine, **params)
    if why_not:
        err_console.print(f"{kind.plural}: {why_not}", highlight=False, markup=False)
    return found, why_not


def _films_and_series(lake: Lake, asked_for: tuple[Any, ...]) -> tuple[Analysis | None, Analysis | None]:
    """``--kind both``: the films' answer, and the series' beside it when the lake holds series. A lake
    without films but with series (``pipeline --kind series``) gets the series' answer alone; a lake
    with neither gets the films' error, as before."""
    from cinelake.analysis import FILMS, SERIES, NoAnalysisData

    films: Analysis | None = None
    try:
        films = _answer(lake, FILMS, *asked_for)
    except NoAnalysisData as exc:
        missing = exc
    series, _ = _answer_if_held(lake, SERIES, *asked_for)
    if films is None:
        if series is None:
            raise missing
        return None, series
    if series is not None and films.source is not None and films.source.titles == 0:
        return None, series  # the film tables are there (trusted-to-refined makes every table), empty
    return films, series


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
    from cinelake.tables.store import loads_kept

    with loads_kept():  # each table loaded once for both kinds' answers
        _analyze(store, kind, (chosen, top, min_votes, rank_by, engine.value), output, out, engine)


def _analyze(
    store: Lake,
    kind: AnswerKind,
    asked_for: tuple[Any, ...],
    output: OutputFormat,
    out: Path | None,
    engine: QueryEngine,
) -> None:
    from cinelake.analysis import FILMS, SERIES

    analysis = series = None
    if kind is AnswerKind.SERIES:
        series = _answer(store, SERIES, *asked_for)
    elif kind is AnswerKind.MOVIES:
        analysis = _answer(store, FILMS, *asked_for)
    else:  # both: the films, and beside them the series when the lake holds some
        analysis, series = _films_and_series(store, asked_for)
    from cinelake.views.answers import (
        answer_document,
        print_answer,
        print_no_films,
        print_no_series,
        print_vintage,
        write_answer_json,
    )

    # A lake of series alone answers --kind both as --kind series would.
    shown = AnswerKind.SERIES if kind is AnswerKind.BOTH and analysis is None else kind
    document = answer_document(analysis, series, shown.value)
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
    if kind is AnswerKind.BOTH and analysis is None:
        print_no_films(console)
    if series is not None:
        print_answer(console, series)
    if engine is QueryEngine.DUCKDB:
        print_vintage(console, store)


ReportKindOption = Annotated[
    AnswerKind,
    typer.Option(
        "--kind",
        help="movies: the films' answer alone; series: the series' answer alone; both: every kind the "
        "lake holds, the films first and the series in a section of their own.",
    ),
]


def report(
    lake: LakeOption = None,
    out: Annotated[Path, typer.Option("--out", help="Folder the HTML page is written to.")] = Path("reports"),
    kind: ReportKindOption = AnswerKind.BOTH,
    genres: GenresOption = "Comedy,Animation",
    top: TopOption = 5,
    min_votes: MinVotesOption = None,
    rank_by: RankByOption = "vote_average",
) -> None:
    """Write one self-contained HTML page (charts, tables, definition, freshness) that works offline.

    By default it reports every kind the lake holds: the films, then the series in a section of their
    own (a lake of series alone gets a page of series). --kind movies or series reports that kind alone,
    and a lake without it says so in one line.
    """
    from cinelake.tables.store import loads_kept

    store = open_lake(lake)
    with loads_kept():  # each table loaded once for the answers and the report's freshness
        _report(store, kind, asked(genres, None, None, None, None), top, min_votes, rank_by, out)


def _report(
    store: Lake,
    kind: AnswerKind,
    chosen: Asked,
    top: int,
    min_votes: int | None,
    rank_by: str,
    out: Path,
) -> None:
    from cinelake.analysis import FILMS, SERIES, NoAnalysisData
    from cinelake.analysis.report import report as write_report

    asked_for = (chosen, top, min_votes, rank_by, QueryEngine.DUCKDB.value)
    if kind is AnswerKind.BOTH:
        analysis, films_why = _answer_if_held(store, FILMS, *asked_for)
        series, series_why = _answer_if_held(store, SERIES, *asked_for)
        if analysis is None and series is None:
            if films_why or series_why:
                raise NoAnalysisData(
                    f"nothing to report: films {films_why or 'none'}, series {series_why or 'none'}"
                )
            raise NoAnalysisData(
                f"the lake {store.url} holds neither films nor series to report on: ingest them first "
                "(cinelake pipeline, or cinelake demo for the packaged data)"
            )
    else:
        alone = FILMS if kind is AnswerKind.MOVIES else SERIES
        found = _answer(store, alone, *asked_for)
        if found.source is not None and found.source.titles == 0:  # its tables, but none of its titles
            raise NoAnalysisData(
                f"the lake {store.url} holds no {alone.plural} to report on: ingest some first, or "
                "leave out --kind to report the kinds it holds"
            )
        analysis, series = (found, None) if alone is FILMS else (None, found)
    with console.status("drawing the report ...", spinner="dots") if is_interactive() else nullcontext():
        path = write_report(store, out, analysis=analysis, series=series)
    console.print(f"report: {path}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `analyze` and `report` as top-level commands of ``app``."""
    app.command("analyze")(analyze)
    app.command("report")(report)
