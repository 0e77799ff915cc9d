"""`cinelake tables ...`: upkeep of the Trusted and Refined Iceberg tables."""

from __future__ import annotations

from typing import Annotated

import typer

from cinelake.commands.common import LakeOption, console, err_console, open_lake

app = typer.Typer(help="Look after the Trusted and Refined Iceberg tables.", no_args_is_help=True)


@app.command("maintain")
def maintain(
    lake: LakeOption = None,
    older_than_days: Annotated[
        int,
        typer.Option(
            "--older-than-days",
            help="Expire the snapshots committed more than this many days ago (never a table's "
            "current one) and delete the files no remaining snapshot needs that are older than that.",
        ),
    ] = 7,
) -> None:
    """Expire old snapshots of every table and delete the files no snapshot references.

    Time travel (--as-of) reaches back only as far as the snapshots kept. On AWS, Athena's OPTIMIZE
    (compaction) and VACUUM do the same work inside Athena for tables that grow large.
    """
    from cinelake.tables.maintain import maintain as run

    done = run(
        open_lake(lake),
        older_than_days=older_than_days,
        progress=lambda line: err_console.print(line, highlight=False),
    )
    expired, deleted = sum(d.expired for d in done), sum(d.deleted for d in done)
    console.print(f"{len(done)} table(s): {expired} snapshot(s) expired, {deleted} file(s) deleted")
