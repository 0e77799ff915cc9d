"""The ``cinelake`` command line: one typer app, each command a thin wrapper over a library function."""

from __future__ import annotations

import atexit
import gc
import inspect
import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup, TyperOption

from cinelake import __version__
from cinelake.commands import (
    analyze,
    aws,
    catalog,
    dashboard,
    ingest,
    pipeline,
    spark,
    sql,
    tables,
    tmdb,
    transform,
)
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
dashboard.register(app)
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


def whole_sentences(text: str) -> str:
    """Help text with each paragraph joined into one line, for the terminal to wrap at its width.

    Typer's rich help keeps a docstring's line breaks inside a paragraph, so a sentence the source
    wrapped at 110 columns broke mid-line on an 80-column terminal. Paragraphs (blank-line separated)
    stay apart; a line starting a list item ("- ", "1. ") stays on its own line.
    """
    paragraphs = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        lines: list[str] = []
        for line in paragraph.splitlines():
            starts_item = bool(re.match(r"\s*(?:[-*•]|\d+\.)\s", line))
            if lines and not starts_item:
                lines[-1] = f"{lines[-1]} {line.strip()}"
            else:
                lines.append(line.strip())
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _no_type_on_flags(params: list[Any]) -> list[Any]:
    """A flag takes no value, so its help shows no ``<bool>`` placeholder."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
    return params


class _Command(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _no_type_on_flags(super().get_params(ctx))


class _Group(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _no_type_on_flags(super().get_params(ctx))


def _readable_help(typer_app: typer.Typer) -> None:
    """Every command's help in whole sentences and without ``<bool>`` on flags (see above)."""
    for command in typer_app.registered_commands:
        text = command.help if isinstance(command.help, str) else inspect.getdoc(command.callback)
        if text:
            command.help = whole_sentences(text)
        if command.cls in (None, TyperCommand):
            command.cls = _Command
    for group in typer_app.registered_groups:
        group.cls = _Group
        if group.typer_instance is not None:
            group.typer_instance.info.cls = _Group
            _readable_help(group.typer_instance)


app.info.cls = _Group
_readable_help(app)


_EXIT_WITHOUT_COLLECTING = False


def exit_without_collecting() -> None:
    """Skip the interpreter's last garbage collection when this process exits.

    At exit CPython collects every object of every loaded module; after a transform has loaded
    pyiceberg, SQLAlchemy and pyarrow that took 0.25-0.3 s of a 1.2 s process, about a fifth of the
    DuckDB engine's time on the packaged snapshot (measured with ``time``: the same imports exit in
    0.91 s, 0.65 s with ``os._exit``, 0.67 s with this). :func:`gc.freeze` as the last exit handler
    (registered first, so it runs after every handler a command registers: Spark's gateway, thread
    pools, temp folders) moves the objects out of that collection's reach; modules are still torn
    down, files flushed and closed, and objects freed by their reference counts as before. Only
    objects in reference cycles are left to the operating system, whose finalizers Python never
    promised to run at exit. Called by :func:`main` only: a program that imports cinelake keeps
    its own exit."""
    global _EXIT_WITHOUT_COLLECTING
    if not _EXIT_WITHOUT_COLLECTING:
        atexit.register(gc.freeze)
        _EXIT_WITHOUT_COLLECTING = True


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the app, turning cinelake's own errors into one line and an exit code."""
    exit_without_collecting()
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
