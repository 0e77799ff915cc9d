"""The ``cinelake`` command line: one typer app, each command a thin wrapper over a library function."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer
from rich.markup import escape

from cinelake import __version__
from cinelake.commands import analyze, aws, catalog, ingest, pipeline, spark, sql, tables, tmdb, transform
from cinelake.commands.common import err_console
from cinelake.errors import CinelakeError

app = typer.Typer(
    name="cinelake",
    help=(
        "A movie and series data lake: ingest a local CSV and TMDB into a Raw zone, catalog it, "
        "transform it with DuckDB or Spark and answer questions with DuckDB, on a laptop or on AWS."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)
app.add_typer(ingest.app, name="ingest")
app.add_typer(tmdb.app, name="tmdb")
app.add_typer(aws.app, name="aws")
app.add_typer(transform.app, name="transform")
app.add_typer(spark.app, name="spark")
app.add_typer(catalog.app, name="catalog")
app.add_typer(tables.app, name="tables")
analyze.register(app)
sql.register(app)
pipeline.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cinelake {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """cinelake: a movie and series data lake."""


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the app, turning cinelake's own errors into one line and an exit code."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="cinelake")
    except CinelakeError as exc:
        # soft_wrap: the message stays one line whatever the terminal width (scripts grep it).
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
