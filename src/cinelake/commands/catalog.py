"""`cinelake catalog ...`: crawl the lake into the catalog and look at what it holds."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from cinelake.commands.common import LakeOption, console, err_console, is_interactive, lake_url
from cinelake.lake.layout import Zone

if TYPE_CHECKING:
    from cinelake.catalog.crawler import ProgressCallback
from cinelake.lake.store import Lake

app = typer.Typer(
    help="The data catalog: crawl the lake into tables and partitions (local or AWS Glue), show them, "
    "print their Athena DDL.",
    no_args_is_help=True,
)


class Backend(StrEnum):
    LOCAL = "local"
    GLUE = "glue"


class SchemaPolicy(StrEnum):
    UPDATE = "update"
    LOG = "log"


BackendOption = Annotated[
    Backend,
    typer.Option(
        "--backend", help="Where the catalog lives: local (in the lake, under _catalog/) or glue (AWS Glue)."
    ),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Catalog database name. \\[env: CINELAKE_CATALOG_DATABASE; default cinelake]",
        show_default=False,
    ),
]


def open_lake(lake: str | None) -> Lake:
    from cinelake.lake.store import Lake

    return Lake(lake_url(lake))


def _progress_bar() -> tuple[ProgressCallback, AbstractContextManager[object]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
    )
    tasks: dict[str, TaskID] = {}

    def update(table: str, done: int, total: int) -> None:
        if table not in tasks:
            tasks[table] = bar.add_task(f"reading {table}", total=total)
        bar.update(tasks[table], completed=done, total=total)

    return update, bar


def _log_lines(table: str, done: int, total: int) -> None:
    if total == 0:
        return
    if done == 0:
        err_console.print(f"crawl {table}: reading {total} file(s)", highlight=False)
    elif done == total:
        err_console.print(f"crawl {table}: read {total} file(s)", highlight=False)


@app.command("crawl")
def crawl(
    lake: LakeOption = None,
    zone: Annotated[
        Zone | None,
        typer.Option("--zone", help="Crawl only this zone. \\[default: every zone]", show_default=False),
    ] = None,
    backend: BackendOption = Backend.LOCAL,
    database: DatabaseOption = None,
    schema_change: Annotated[
        SchemaPolicy,
        typer.Option(
            "--schema-change",
            help="On a schema change: update the table (merge new columns, widen types) or only log it.",
        ),
    ] = SchemaPolicy.UPDATE,
    sample: Annotated[
        int,
        typer.Option("--sample", min=1, help="Files read per new or changed partition to infer the schema."),
    ] = 3,
    all_files: Annotated[
        bool, typer.Option("--all-files", help="Read every file instead of a sample (exact record counts).")
    ] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Read every partition again, not only the new and changed ones.")
    ] = False,
) -> None:
    """Crawl the lake into the catalog: tables, schemas, partitions; only new partitions are read.

    One crawl of a local lake's catalog at a time: a second waits for it, up to 5 minutes.
    """
    from contextlib import nullcontext

    from cinelake.catalog import crawl as run_crawl
    from cinelake.catalog import format_summary

    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s")
    progress: ProgressCallback
    context: AbstractContextManager[object]
    if is_interactive():
        progress, context = _progress_bar()
    else:
        progress, context = _log_lines, nullcontext()
    with context:
        summary = run_crawl(
            open_lake(lake),
            zone=zone.value if zone else None,
            backend=backend.value,
            database=database,
            sample=None if all_files else sample,
            schema_change=schema_change.value,
            progress=progress,
            full=full,
        )
    console.print(format_summary(summary))


@app.command("tables")
def tables(
    lake: LakeOption = None, backend: BackendOption = Backend.LOCAL, database: DatabaseOption = None
) -> None:
    """List the catalog's tables with their format, partition keys, files, records and size: the
    crawler's Raw tables and the Trusted and Refined Iceberg tables (their current snapshots)."""
    from cinelake.catalog import format_tables
    from cinelake.tables.describe import lake_tables

    console.print(format_tables(lake_tables(open_lake(lake), backend=backend.value, database=database)))


TableArgument = Annotated[str, typer.Argument(help="Table name, e.g. raw_tmdb_movies.", show_default=False)]


@app.command("show")
def show(
    table: TableArgument,
    lake: LakeOption = None,
    backend: BackendOption = Backend.LOCAL,
    database: DatabaseOption = None,
) -> None:
    """Show one table: location, format, record count and its columns with their types."""
    from cinelake.catalog import format_table
    from cinelake.catalog.api import show as show_table
    from cinelake.tables.describe import iceberg_catalog_table

    store = open_lake(lake)
    found = iceberg_catalog_table(store, table) or show_table(
        store, table, backend=backend.value, database=database
    )
    console.print(format_table(found))


@app.command("partitions")
def partitions(
    table: TableArgument,
    lake: LakeOption = None,
    backend: BackendOption = Backend.LOCAL,
    database: DatabaseOption = None,
) -> None:
    """List a table's partitions with their files, records, size and location."""
    from cinelake.catalog import format_partitions
    from cinelake.catalog.api import partitions as list_partitions

    found, parts = list_partitions(open_lake(lake), table, backend=backend.value, database=database)
    console.print(format_partitions(found, parts))


@app.command("ddl")
def ddl(
    table: TableArgument,
    lake: LakeOption = None,
    backend: BackendOption = Backend.LOCAL,
    database: DatabaseOption = None,
    location_root: Annotated[
        str | None,
        typer.Option(
            "--location-root",
            help="Print the location under this root (e.g. s3://bucket for a local lake copied to S3).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the table's Athena DDL: CREATE EXTERNAL TABLE for a Raw table (with partition projection
    for dated folders), CREATE TABLE ... 'table_type'='ICEBERG' for a Trusted or Refined table."""
    from cinelake.tables.describe import table_ddl

    store = open_lake(lake)
    typer.echo(
        table_ddl(store, table, backend=backend.value, database=database, location_root=location_root)
    )
