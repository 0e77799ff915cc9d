"""`cinelake spark ...`: the Spark jobs (word count, Raw -> Trusted, Trusted -> Refined)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from cinelake.commands.common import LakeOption, console, err_console, is_interactive
from cinelake.errors import UsageError

app = typer.Typer(
    help="Spark jobs: word count, Raw -> Trusted Parquet, Trusted -> Refined star schema (local or Glue).",
    no_args_is_help=True,
)

FORMATS = ("table", "csv", "json")

CatalogOption = Annotated[
    str,
    typer.Option(
        "--catalog",
        help="Catalog to update after writing, if the lake has one: local (in the lake), glue or none.",
    ),
]


@contextmanager
def steps(title: str) -> Iterator[Callable[[str], None]]:
    """A progress callback: a rich spinner with the current step on a terminal, plain log lines otherwise."""
    if not is_interactive():
        yield lambda message: err_console.print(f"{title}: {message}", highlight=False, soft_wrap=True)
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(title, total=None)

        def report(message: str) -> None:
            progress.update(task, description=f"{title}: {message}")
            progress.console.print(f"  {message}", highlight=False)

        yield report


@app.command("wordcount")
def wordcount(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Text files or folders (UTF-8, with or without BOM, LF or CRLF).", show_default=False
        ),
    ],
    top: Annotated[
        int, typer.Option("--top", help="How many of the most frequent words to print (0: none).")
    ] = 20,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            help="Write the whole sorted result to this .csv or .parquet file (not via the driver).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="How to print the top words: table, csv or json.")
    ] = "table",
    engine: Annotated[
        str, typer.Option("--engine", help="spark (DataFrame API) or duckdb (same result, no JVM).")
    ] = "spark",
) -> None:
    """Count words (maximal runs of Unicode letters and digits, lower-cased), most frequent first."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}: use table, csv or json")
    from cinelake.spark.wordcount import wordcount as run

    with steps("wordcount") as progress:
        result = run([str(p) for p in paths], top=top, out=out, engine=engine, progress=progress)
    if fmt == "json":
        typer.echo(json.dumps([{"word": w.word, "count": w.count} for w in result.top], ensure_ascii=False))
    elif fmt == "csv":
        typer.echo("word,count")
        for item in result.top:
            typer.echo(f"{item.word},{item.count}")
    elif result.top:
        from rich.table import Table

        table = Table(title=result.engine, title_justify="left")
        table.add_column("word")
        table.add_column("count", justify="right")
        for item in result.top:
            table.add_row(item.word, f"{item.count:,}")
        console.print(table)
    if result.out:
        err_console.print(f"all counts written to {result.out}", highlight=False)


@app.command("raw-to-trusted")
def raw_to_trusted(
    lake: LakeOption = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Only this Raw day (YYYY-MM-DD); default: every Raw day not yet in Trusted.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild partitions that are already up to date.")
    ] = False,
    catalog: CatalogOption = "local",
) -> None:
    """Raw TMDB JSON and local CSV -> typed Parquet in Trusted/<Origin>/PARQUET/<Spec>/dt=YYYY-MM-DD/,
    on Spark (the same as `cinelake transform raw-to-trusted --engine spark`).

    Each Raw day becomes the dt partition of the same date.

    A day already built from the same Raw files is skipped unless --force.

    Reruns replace their own partitions only.

    On a local lake one run goes at a time: a second exits 1 naming the holder.

    A run first removes what a killed Spark write left in Trusted (.spark-staging-*, _temporary).
    """
    from cinelake.commands.transform import run_raw_to_trusted

    run_raw_to_trusted(lake, date, force, catalog, "spark")


@app.command("trusted-to-refined")
def trusted_to_refined(lake: LakeOption = None, catalog: CatalogOption = "local") -> None:
    """Rebuild the Refined star schema (fact_movie, dimensions, bridges) from Trusted, on Spark (the
    same as `cinelake transform trusted-to-refined --engine spark`).

    The most recent dt of each movie wins; each table is replaced whole.

    On a local lake one run goes at a time: a second exits 1 naming the holder.
    """
    from cinelake.commands.transform import run_trusted_to_refined

    run_trusted_to_refined(lake, catalog, "spark")
