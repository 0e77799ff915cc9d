"""`cinelake pipeline` and `cinelake demo`: the whole chain in one command."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cinelake.commands.analyze import MinVotesOption
from cinelake.commands.common import (
    TMDB_NOTICE,
    DateOption,
    LakeOption,
    console,
    err_console,
    is_interactive,
    lake_url,
    open_lake,
    parse_day,
)
from cinelake.pipeline import PipelineKind

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from cinelake.ingest.tmdb import IngestProgress
    from cinelake.lake.store import Lake
    from cinelake.pipeline import PipelineResult, StepOutcome


EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Engine of the two transformations: duckdb (in this process, no JVM) or spark (needs Java 17).",
    ),
]
OutOption = Annotated[
    Path, typer.Option("--out", help="Folder for the HTML report (report.html) and analysis.json.")
]


def _listener() -> object:
    """A listener that prints each step with its timing and shows the TMDB ingestion's progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from cinelake.pipeline import StepListener

    class ConsoleListener(StepListener):
        def __init__(self) -> None:
            self.progress: Progress | None = None
            self.task: TaskID | None = None
            self.last_logged = -1
            self.last_line = ""

        def step_started(self, name: str) -> None:
            err_console.print(f"[bold cyan]>[/] {name} ...", highlight=False)

        def step_finished(self, outcome: StepOutcome) -> None:
            self._close_bar()
            err_console.print(
                f"[green]done[/] {outcome.name} in {outcome.seconds:.1f} s: {outcome.summary}",
                highlight=False,
            )

        def message(self, text: str) -> None:
            err_console.print(f"  {text}", highlight=False, markup=False)

        def ingest_progress(self, progress: IngestProgress) -> None:
            # Nothing until the total is known (the plan is being made), and nothing for a run with no
            # id to fetch; the run's summary line says what it did.
            if progress.phase == "plan" or progress.total == 0:
                return
            if not is_interactive():
                # A line a tenth, and the last one when the run ends, when the written count (kept per
                # chunk) has caught up with the ids looked up.
                tenth = -1 if progress.phase == "finish" else progress.done * 10 // progress.total
                done = f"{progress.done:,}/{progress.total:,}"
                line = f"  tmdb: {done} ids looked up, {progress.written:,} written"
                if tenth != self.last_logged and line != self.last_line:
                    err_console.print(line, highlight=False)
                    self.last_line = line
                self.last_logged = tenth
                return
            if self.progress is None:
                self.progress = Progress(
                    TextColumn("  tmdb"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"),
                    TimeRemainingColumn(),
                    console=err_console,
                    transient=True,
                )
                self.progress.start()
                self.task = self.progress.add_task("tmdb", total=progress.total, rate="")
            assert self.task is not None
            elapsed = self.progress.tasks[0].elapsed or 0.0
            rate = f"{progress.done / elapsed:,.0f} ids/s" if elapsed > 0 else ""
            self.progress.update(self.task, total=progress.total, completed=progress.done, rate=rate)

        def _close_bar(self) -> None:
            if self.progress is not None:
                self.progress.stop()
                self.progress = None
                self.task = None

    return ConsoleListener()


def _finish(result: PipelineResult, out: Path, lake: Lake) -> None:
    from rich.table import Table

    from cinelake.views.answers import answer_document, print_answer, print_vintage, write_answer_json

    timings = Table(title="steps", title_justify="left")
    timings.add_column("step")
    timings.add_column("seconds", justify="right")
    timings.add_column("what it did", overflow="fold")
    for step in result.steps:
        timings.add_row(step.name, f"{step.seconds:.1f}", step.summary)
    timings.add_row("[bold]total[/]", f"[bold]{result.seconds:.1f}[/]", "")
    console.print(timings)
    answers = [answer for answer in (result.analysis, result.series) if answer is not None]
    for index, answer in enumerate(answers):
        print_answer(console, answer, notice=index == len(answers) - 1)
    if answers:
        kind = "series" if result.analysis is None else "both" if result.series is not None else "movies"
        path = write_answer_json(answer_document(result.analysis, result.series, kind), out)
        console.print(f"answers as JSON: {path}")
    console.print(f"lake: {result.lake}")
    print_vintage(console, lake)
    if result.report_path is not None:
        console.print(f"[bold]report:[/] {result.report_path}")
    if not answers:  # print_answer shows the notice with the answers
        console.print(f"[dim]{TMDB_NOTICE}[/]")


def pipeline(
    csv: Annotated[
        list[Path] | None,
        typer.Option(
            "--csv",
            help="Your movies/series CSV in the challenge's format (repeat for several). Needed unless "
            "--kind series, which can answer from the series TMDB lists for --genres alone.",
            show_default=False,
        ),
    ] = None,
    lake: LakeOption = None,
    date: DateOption = None,
    genres: Annotated[
        str, typer.Option("--genres", help="Genres to ingest and analyse.")
    ] = "Comedy,Animation",
    top: Annotated[int, typer.Option("--top", min=1, help="Best and worst titles per genre.")] = 5,
    min_votes: MinVotesOption = None,
    kind: Annotated[
        PipelineKind,
        typer.Option(
            "--kind",
            help="What to ingest and answer. movies: the titles of your CSVs (films, and the series of a "
            "series CSV). series: series only, from the series TMDB lists for --genres (/discover/tv) "
            "and your series CSVs if any, with a report of the series alone. both: the titles of your "
            "CSVs and the series TMDB lists for --genres, the series answered beside the films.",
        ),
    ] = PipelineKind.MOVIES,
    out: OutOption = Path("reports"),
    incremental: Annotated[
        bool,
        typer.Option(
            "--incremental",
            help="The TMDB step fetches only titles new to the lake and those TMDB's change lists name "
            "since the last complete run (see `cinelake ingest tmdb --help`).",
        ),
    ] = False,
    engine: EngineOption = "duckdb",
) -> None:
    """Run the whole chain on your own CSV against TMDB: local ingest, TMDB ingest from the CSV's
    IMDB ids, crawl, raw-to-trusted, trusted-to-refined, analyze, report.

    With --kind series it runs for series alone: the series TMDB lists for --genres (and your series
    CSVs, when given), answered and reported without films.

    Needs TMDB_READ_ACCESS_TOKEN (or TMDB_API_KEY), or TMDB_SECRET_ID / TMDB_SSM_PARAMETER naming where
    AWS keeps it; TMDB_BASE_URL points it at another server. A rerun on the same day resumes instead of
    repeating work.
    """
    from cinelake.config import get_settings
    from cinelake.credentials import with_tmdb_credentials
    from cinelake.pipeline import StepListener, run_pipeline

    day = parse_day(date)
    wanted = [g.strip() for g in genres.split(",") if g.strip()]
    listener = _listener()
    assert isinstance(listener, StepListener)
    store = open_lake(lake)
    result = run_pipeline(
        store,
        [str(p) for p in csv or []],
        settings=with_tmdb_credentials(get_settings()),
        day=day,
        genres=wanted,
        top=top,
        min_votes=min_votes,
        out_dir=out,
        listener=listener,
        incremental=incremental,
        engine=engine,
        kind=kind,
    )
    _finish(result, out, store)


def demo(
    lake: LakeOption = None,
    date: DateOption = None,
    out: OutOption = Path("reports"),
    days: Annotated[
        int,
        typer.Option(
            "--days",
            min=1,
            max=2,
            help="2: run the day before --date in full, then --date incrementally after the offline "
            "server's SIMULATED edits (not TMDB's), and show the answer after them.",
        ),
    ] = 1,
    engine: EngineOption = "duckdb",
    open_dashboard: Annotated[
        bool,
        typer.Option(
            "--dashboard",
            help="After the chain, serve the dashboard over the demo's lake on 127.0.0.1 until Ctrl+C.",
        ),
    ] = False,
) -> None:
    """The whole lake on the packaged snapshot of real TMDB data, offline, in one command.

    Starts the offline TMDB-compatible server on 127.0.0.1, ingests the packaged demo CSV locally and
    through TMDB into ./lake, discovers the packaged TV snapshot's Comedy and Animation series
    (/discover/tv), crawls the lake, runs raw-to-trusted and trusted-to-refined (on DuckDB, or on
    Spark with --engine spark, which needs Java 17), answers the budget vs revenue questions for the
    films and the best and worst series beside them, and writes the HTML report. No account and no
    internet needed.
    """
    from cinelake.pipeline import StepListener, run_demo

    day = parse_day(date)
    listener = _listener()
    assert isinstance(listener, StepListener)
    store = open_lake(lake)
    result = run_demo(store, day=day, out_dir=out, listener=listener, days=days, engine=engine)
    _finish(result, out, store)
    url = lake_url(lake)
    console.print(f"[bold]dashboard:[/] cinelake dashboard --lake {shlex.quote(url)}", highlight=False)
    if open_dashboard:
        from cinelake.commands.dashboard import dashboard

        dashboard(lake=url)


def register(app: typer.Typer) -> None:
    app.command("pipeline")(pipeline)
    app.command("demo")(demo)
