"""`cinelake dashboard`: the lake's answers in a browser, with controls, on 127.0.0.1."""

from __future__ import annotations

import contextlib
import sys
from typing import Annotated

import typer

from cinelake.commands.common import (
    LakeOption,
    QueryEngine,
    RetiredEngineOption,
    err_console,
    open_lake,
    query_engine_option,
)

LOCAL_HOST = "127.0.0.1"


def dashboard(
    lake: LakeOption = None,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="The TCP port to listen on; 0 picks a free one.")
    ] = 8050,
    engine: Annotated[
        QueryEngine,
        query_engine_option(
            "Where the SQL runs. duckdb: read the lake's files in process; athena: the Refined tables of "
            "the Glue database in Amazon Athena (title pages still read the lake through DuckDB)."
        ),
    ] = QueryEngine.DUCKDB,
    retired_engine: RetiredEngineOption = None,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="The address to listen on. The dashboard has no sign-in: give another address than "
            "127.0.0.1 only on a network you trust.",
        ),
    ] = LOCAL_HOST,
) -> None:
    """Serve a dashboard over the lake in a browser: pick films or series, genres (any or all of them),
    a range of years, the least votes, N best and worst and what they rank on; see the tiles, the table
    and the charts of `cinelake analyze`, and each title's values over the collection days.

    Prints the URL and serves until interrupted (Ctrl+C). The whole view is in the URL, so a view is a
    link one can share. Read-only; works offline (plotly.js ships with the package).
    """
    from cinelake.views.dashboard import serve

    if host != LOCAL_HOST:
        err_console.print(f"warning: listening on {host}: anyone who can reach it sees the lake's answers")

    def announce(url: str) -> None:
        typer.echo(f"dashboard: {url}  (Ctrl+C stops it)")
        sys.stdout.flush()

    with contextlib.suppress(KeyboardInterrupt):
        serve(open_lake(lake), host=host, port=port, engine=engine.value, announce=announce)


def register(app: typer.Typer) -> None:
    app.command("dashboard")(dashboard)
