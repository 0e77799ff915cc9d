"""`cinelake spark ...`: the Spark jobs (word count, Raw -> Trusted, Trusted -> Refined)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cinelake.commands import transform
from cinelake.commands.common import console, err_console, steps
from cinelake.errors import UsageError

app = typer.Typer(
    help=(
        "Spark jobs: word count, and the transforms on Spark (raw-to-trusted and trusted-to-refined are "
        "`cinelake transform ... --engine spark`)."
    ),
    no_args_is_help=True,
)

FORMATS = ("table", "csv", "json")

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


# One action, two CLI surfaces: these are `cinelake transform ... --engine spark`, the same function
# with the same options.
app.command("raw-to-trusted")(transform.on_engine(transform.raw_to_trusted, "spark"))
app.command("trusted-to-refined")(transform.on_engine(transform.trusted_to_refined, "spark"))
