"""`cinelake transform ...`: Raw -> Trusted and Trusted -> Refined on DuckDB (default) or Spark."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cinelake.commands.common import LakeOption, console, err_console, open_lake, parse_day, steps
from cinelake.errors import UsageError

if TYPE_CHECKING:
    from cinelake.tables.results import RawToTrustedResult, RefinedResult

app = typer.Typer(
    help=(
        "Raw -> Trusted Parquet and Trusted -> Refined star schema, on DuckDB (embedded, the default) "
        "or Spark (needs Java 17; for lakes that outgrow one machine). Both write the same lake."
    ),
    no_args_is_help=True,
)

EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="duckdb: in this process, no JVM (memory capped by CINELAKE_DUCKDB_MEMORY_LIMIT, default 1GB, "
        "spilling to CINELAKE_DUCKDB_TEMP_DIRECTORY). spark: local[*] Spark, needs Java 17.",
    ),
]
CatalogOption = Annotated[
    str,
    typer.Option(
        "--catalog",
        help=(
            "Kept for scripts that pass it: the tables are committed to the lake's Iceberg catalog "
            "(SQLite in a folder lake, Glue for s3://; CINELAKE_ICEBERG_CATALOG=glue picks Glue)."
        ),
    ),
]
DayOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="Only this Raw day (YYYY-MM-DD); default: every Raw day not yet in Trusted.",
        show_default=False,
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Rebuild partitions that are already up to date.")]


CATALOG_BACKENDS = ("local", "glue", "none")


def check_catalog(value: str) -> str:
    if value not in CATALOG_BACKENDS:
        raise UsageError(f"unknown --catalog {value!r}: use local, glue or none")
    return value


def print_trusted(result: RawToTrustedResult) -> None:
    from rich.table import Table

    table = Table(title="Trusted partitions", title_justify="left")
    for column in ("dataset", "dt", "status", "rows", "raw records"):
        table.add_column(column, justify="right" if column in ("rows", "raw records") else "left")
    for part in result.partitions:
        written = part.status == "written"
        table.add_row(
            part.dataset,
            part.day.isoformat(),
            part.status,
            f"{part.rows:,}" if written else "",
            f"{part.input_rows:,}" if written else "",
        )
    console.print(table)
    if result.catalog_updated:
        err_console.print("Iceberg tables committed (Trusted)", highlight=False)


def print_refined(result: RefinedResult) -> None:
    from rich.table import Table

    table = Table(title="Refined tables", title_justify="left")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in result.tables.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    if result.catalog_updated:
        err_console.print("Iceberg tables committed (Refined)", highlight=False)


@app.command("raw-to-trusted")
def raw_to_trusted(
    lake: LakeOption = None,
    date: DayOption = None,
    force: ForceOption = False,
    catalog: CatalogOption = "local",
    engine: EngineOption = "duckdb",
) -> None:
    """Raw TMDB JSON and local CSV -> typed Parquet in Trusted/<Origin>/PARQUET/<Spec>/dt=YYYY-MM-DD/.

    Each Raw day becomes the dt partition of the same date of an Apache Iceberg table; a day already
    built from the same Raw files (the table's snapshot records them) is skipped unless --force; each
    dataset's new days are committed as one snapshot that replaces those days only.

    Two runs at once do not mix: the second to commit redoes its commit on the first one's snapshot.

    A Raw file that is not JSON Lines, or a CSV not in the challenge's format, stops the run with one
    line before anything is written.

    On Spark, a run first removes what a killed Spark write left in Trusted (.spark-staging-*,
    _temporary), and on a local lake one run goes at a time: a second exits 1 naming the holder.
    """
    from cinelake.engines import check_engine
    from cinelake.engines import raw_to_trusted as run

    chosen = check_engine(engine)
    day = parse_day(date) if date is not None else None
    with steps("raw-to-trusted") as progress:
        result = run(
            open_lake(lake),
            engine=chosen,
            day=day,
            force=force,
            progress=progress,
            catalog=check_catalog(catalog),
        )
    print_trusted(result)


@app.command("trusted-to-refined")
def trusted_to_refined(
    lake: LakeOption = None, catalog: CatalogOption = "local", engine: EngineOption = "duckdb"
) -> None:
    """Rebuild the Refined star schema (fact_movie, fact_movie_history, dimensions, bridges) from Trusted.

    The most recent dt of each movie wins in fact_movie and dim_movie; fact_movie_history keeps every
    day. Each table is committed as one new Iceberg snapshot: readers see the old table or the new one.

    On Spark, on a local lake one run goes at a time: a second exits 1 naming the holder.
    """
    from cinelake.engines import check_engine
    from cinelake.engines import trusted_to_refined as run

    chosen = check_engine(engine)
    with steps("trusted-to-refined") as progress:
        result = run(open_lake(lake), engine=chosen, progress=progress, catalog=check_catalog(catalog))
    print_refined(result)


def on_engine(command: Callable[..., None], engine: str) -> Callable[..., None]:
    """``command`` with ``--engine`` fixed to ``engine``, for another CLI surface of the same action.

    The result is the same function (it calls ``command``) with the same options but ``--engine``,
    and its help says which command it is short for.
    """
    name = command.__name__.replace("_", "-")

    @functools.wraps(command)
    def alias(**options: Any) -> None:
        command(**options, engine=engine)

    signature = inspect.signature(command, eval_str=True)  # the options' Annotated types, not strings
    kept = [parameter for parameter in signature.parameters.values() if parameter.name != "engine"]
    alias.__signature__ = signature.replace(parameters=kept)  # type: ignore[attr-defined]
    alias.__annotations__ = {key: value for key, value in command.__annotations__.items() if key != "engine"}
    first, _, rest = (command.__doc__ or "").partition("\n")
    alias.__doc__ = f"{first.strip()}\n\nThe same as `cinelake transform {name} --engine {engine}`.\n{rest}"
    return alias
