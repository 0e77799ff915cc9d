"""What a catalog backend does: the few Glue Data Catalog operations the crawler and readers need."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from cinelake.catalog.model import Database, Partition, Table
from cinelake.errors import CinelakeError, UsageError

BACKENDS = ("local", "glue")
_DATABASE = re.compile(r"^[a-z0-9_]{1,255}$")


class CatalogError(CinelakeError):
    """The catalog could not be read or written (Glue refused a call, a catalog file is damaged)."""


class TableNotFound(UsageError):
    """A table name that is not in the catalog."""

    def __init__(self, name: str, database: str) -> None:
        super().__init__(
            f"no table {name!r} in the catalog database {database!r} (run `cinelake catalog crawl`)"
        )
        self.name = name


def database_name(value: str) -> str:
    """A Glue database name: lower-case letters, digits and ``_``."""
    if not _DATABASE.match(value):
        raise UsageError(f"invalid catalog database name {value!r}: use lower-case letters, digits and '_'")
    return value


class CatalogBackend(Protocol):
    """One database of a Glue-shaped catalog."""

    database: str

    def exists(self) -> bool:
        """True when the database exists (something has been crawled into it)."""
        ...

    def ensure_database(self, database: Database) -> bool:
        """Create the database if missing; True when this call created it."""
        ...

    def list_tables(self) -> list[Table]: ...

    def get_table(self, name: str) -> Table | None: ...

    def put_table(self, table: Table, *, create: bool) -> None: ...

    def get_partitions(self, table: str) -> list[Partition]: ...

    def apply_partitions(
        self,
        table: Table,
        *,
        add: Sequence[Partition] = (),
        update: Sequence[Partition] = (),
        delete: Sequence[tuple[str, ...]] = (),
    ) -> None:
        """Add, replace and remove partitions of ``table`` (batched where the backend can)."""
        ...


def require_table(backend: CatalogBackend, name: str) -> Table:
    table = backend.get_table(name)
    if table is None:
        raise TableNotFound(name, backend.database)
    return table
