"""Options and helpers shared by the CLI commands (kept free of heavy imports: the CLI starts fast)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from cinelake.attribution import TMDB_NOTICE
from cinelake.errors import UsageError
from cinelake.lake import layout

if TYPE_CHECKING:
    from cinelake.lake.store import Lake

__all__ = [
    "TMDB_NOTICE",
    "DateOption",
    "LakeOption",
    "console",
    "err_console",
    "lake_url",
    "open_lake",
    "parse_date",
    "parse_day",
    "steps",
]


console = Console()
err_console = Console(stderr=True)

LakeOption = Annotated[
    str | None,
    typer.Option(
        "--lake",
        help=(
            "Lake root URL: a folder, file://, s3://bucket or s3://bucket/prefix, or memory://. "
            "(env: CINELAKE_LAKE; default ./lake)"
        ),
        show_default=False,
    ),
]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="Processing date YYYY-MM-DD (UTC), from 1990-01-01 to tomorrow; default: today.",
        show_default=False,
    ),
]


def today_utc() -> date:
    return datetime.now(UTC).date()


def parse_date(value: str, flag: str) -> date:
    """A ``YYYY-MM-DD`` flag value (exactly that form: not ``20261126``, not ``2026-W48``)."""
    try:
        return layout.iso_day(value)
    except ValueError:
        raise UsageError(f"invalid {flag} {value!r}: expected a date as YYYY-MM-DD") from None


def parse_day(value: str | None, flag: str = "--date") -> date:
    """A processing date (``--date``): ``YYYY-MM-DD`` from 1990-01-01 to tomorrow (UTC); today when absent."""
    if value is None:
        return today_utc()
    try:
        return layout.processing_day(value, today=today_utc())
    except ValueError as exc:
        raise UsageError(f"invalid {flag} {value!r}: {exc}") from None


def lake_url(value: str | None) -> str:
    """The lake URL from the flag, else from the settings (env / .env), else ``./lake``."""
    if value:
        return value
    from cinelake.config import get_settings

    return get_settings().lake


def open_lake(value: str | None) -> Lake:
    """The lake a command works on (from ``--lake``, else the settings), opened once and handed down."""
    from cinelake.lake.store import Lake

    return Lake(lake_url(value))


def is_interactive() -> bool:
    return sys.stderr.isatty()


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


class QueryEngine(StrEnum):
    """Where SQL runs (``--query-engine``); ``--engine`` is the transforms' (duckdb or spark)."""

    DUCKDB = "duckdb"
    ATHENA = "athena"


QUERY_ENGINE_FLAG = "--query-engine"


def query_engine_option(help: str) -> Any:
    """The ``--query-engine`` option of a command that runs SQL, with the command's own ``help``."""
    return typer.Option(QUERY_ENGINE_FLAG, help=help)


def _refuse_engine(value: str | None) -> None:
    if value is not None:
        raise UsageError(
            f"--engine names a transform engine (duckdb or spark); where SQL runs is {QUERY_ENGINE_FLAG} "
            f"(duckdb or athena): use {QUERY_ENGINE_FLAG} {value}"
        )


# The spelling a query engine had before --query-engine: refused in one line that names the new flag
# (hidden from --help), so --engine keeps a single meaning across the CLI.
RetiredEngineOption = Annotated[
    str | None, typer.Option("--engine", hidden=True, callback=_refuse_engine, show_default=False)
]
