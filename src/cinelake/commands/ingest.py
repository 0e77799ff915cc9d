"""`cinelake ingest ...`: move a source into the Raw zone (local CSV files, TMDB)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cinelake.commands.common import DateOption, LakeOption, console, lake_url, parse_day

app = typer.Typer(help="Move a source into the Raw zone: the local CSV files, TMDB.", no_args_is_help=True)

KindOption = Annotated[
    str | None,
    typer.Option(
        "--kind",
        help="movies or series. [default: from the CSV header (local) / movies (tmdb)]",
        show_default=False,
    ),
]


@app.command("local")
def local(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="The challenge's CSV files (movies.csv, series.csv: '|'-separated).", show_default=False
        ),
    ],
    lake: LakeOption = None,
    date: DateOption = None,
    kind: KindOption = None,
) -> None:
    """Copy movies/series CSV files byte for byte into Raw/Local/CSV/<Kind>/YYYY/MM/DD/.

    Every file is validated first (one streaming pass); if any is invalid, nothing is written.
    """
    from rich.table import Table

    from cinelake.ingest.local_csv import ingest_local, parse_kind
    from cinelake.lake.store import Lake

    day = parse_day(date)
    wanted = parse_kind(kind)
    store = Lake(lake_url(lake))
    done = ingest_local(store, [str(p) for p in paths], day=day, kind=wanted)
    table = Table(title=f"Raw/Local/CSV in {store.url}", title_justify="left")
    for column in ("written to", "kind", "rows", "bytes", "sha256"):
        table.add_column(column, justify="right" if column in ("rows", "bytes") else "left", overflow="fold")
    for item in done:
        table.add_row(
            item.path,
            item.kind.value,
            f"{item.rows:,}",
            f"{item.bytes:,}",
            item.sha256[:12],
        )
    console.print(table)
