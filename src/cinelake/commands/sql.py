"""`cinelake sql "SELECT ..."`: one SQL statement over the lake's catalog tables (DuckDB or Athena)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from cinelake.commands.catalog import Backend, BackendOption, DatabaseOption, LakeOption, open_lake
from cinelake.commands.common import (
    TMDB_NOTICE,
    QueryEngine,
    RetiredEngineOption,
    console,
    err_console,
    query_engine_option,
)


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def sql(
    query: Annotated[
        str, typer.Argument(help='The SQL statement, e.g. "SELECT count(*) FROM raw_tmdb_movies".')
    ],
    lake: LakeOption = None,
    output: Annotated[
        OutputFormat,
        typer.Option("--format", help="table (for people), csv, or json (an array of row objects)."),
    ] = OutputFormat.TABLE,
    engine: Annotated[
        QueryEngine,
        query_engine_option(
            "Where the SQL runs: duckdb (in process, over the lake's files) or athena (Amazon Athena)."
        ),
    ] = QueryEngine.DUCKDB,
    retired_engine: RetiredEngineOption = None,
    database: DatabaseOption = None,
    backend: BackendOption = Backend.LOCAL,
    workgroup: Annotated[
        str | None,
        typer.Option(
            "--workgroup",
            help="Athena workgroup (env: CINELAKE_ATHENA_WORKGROUP, e.g. the stack's AthenaWorkGroup "
            "output; default: primary).",
            show_default=False,
        ),
    ] = None,
    output_location: Annotated[
        str | None,
        typer.Option(
            "--output-location",
            envvar="CINELAKE_ATHENA_OUTPUT",
            help="s3:// folder for Athena's result files, unless the workgroup sets one.",
            show_default=False,
        ),
    ] = None,
    allow_writes: Annotated[
        bool,
        typer.Option("--allow-writes", help="Run statements other than SELECT/WITH/SHOW/DESCRIBE/EXPLAIN."),
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Read the Trusted and Refined tables as the lake stood at the end of this collection "
            "day (YYYY-MM-DD) or at this Iceberg snapshot id.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run SQL over the lake: every catalog table is queryable by its name (partition columns included).

    A result too wide for the terminal is shown one row at a time, a line per column.
    """
    from cinelake.query import run_sql, to_csv, to_json, to_rich

    result = run_sql(
        open_lake(lake),
        query,
        engine=engine.value,
        read_only=not allow_writes,
        database=database,
        backend=backend.value,
        workgroup=workgroup,
        output_location=output_location,
        as_of=as_of,
    )
    if result.engine == "athena":  # on stderr: stdout stays the rows alone
        err_console.print(f"Athena workgroup: {result.details['workgroup']}", highlight=False)
    if output is OutputFormat.JSON:
        typer.echo(to_json(result))
    elif output is OutputFormat.CSV:
        typer.echo(to_csv(result), nl=False)
    else:
        console.print(to_rich(result, width=console.width))
    # The lake holds TMDB data; machine-readable output keeps the notice off stdout.
    (console if output is OutputFormat.TABLE else err_console).print(TMDB_NOTICE, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the top-level ``sql`` command to the app."""
    app.command("sql")(sql)
