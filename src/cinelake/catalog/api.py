"""The catalog's read operations: what ``cinelake catalog tables|show|partitions|ddl`` run."""

from __future__ import annotations

from cinelake.catalog.backend import CatalogBackend, require_table
from cinelake.catalog.crawler import open_backend
from cinelake.catalog.ddl import athena_ddl
from cinelake.catalog.model import Partition, Table
from cinelake.errors import UsageError
from cinelake.lake.store import Lake


def _catalog_of(lake: Lake, backend: str, database: str | None) -> CatalogBackend:
    catalog = open_backend(lake, backend, database)
    if not catalog.exists():
        where = lake.url if backend == "local" else "AWS Glue"
        raise UsageError(
            f"no catalog database {catalog.database!r} in {where} yet: run `cinelake catalog crawl` first"
        )
    return catalog


def tables(lake: Lake, *, backend: str = "local", database: str | None = None) -> list[Table]:
    """Every table of the catalog database, by name."""
    return list(_catalog_of(lake, backend, database).list_tables())


def show(lake: Lake, table: str, *, backend: str = "local", database: str | None = None) -> Table:
    """One table (columns, storage, parameters)."""
    return require_table(_catalog_of(lake, backend, database), table)


def partitions(
    lake: Lake, table: str, *, backend: str = "local", database: str | None = None
) -> tuple[Table, list[Partition]]:
    """A table and its partitions, in order of their values."""
    catalog = _catalog_of(lake, backend, database)
    found = require_table(catalog, table)
    return found, list(catalog.get_partitions(table))


def ddl(
    lake: Lake,
    table: str,
    *,
    backend: str = "local",
    database: str | None = None,
    location_root: str | None = None,
) -> str:
    """The Athena ``CREATE EXTERNAL TABLE`` of a table (``location_root`` re-roots its location)."""
    return athena_ddl(show(lake, table, backend=backend, database=database), location_root=location_root)
