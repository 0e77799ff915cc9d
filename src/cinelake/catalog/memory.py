"""A catalog held in memory: what readers use on a lake that has not been crawled into a catalog yet."""

from __future__ import annotations

from collections.abc import Sequence

from cinelake.catalog.backend import database_name
from cinelake.catalog.model import Database, Partition, Table


class MemoryCatalog:
    """A :class:`~cinelake.catalog.backend.CatalogBackend` that lives as long as the object."""

    def __init__(self, database: str = "cinelake") -> None:
        self.database = database_name(database)
        self._exists = False
        self._tables: dict[str, Table] = {}
        self._partitions: dict[str, dict[tuple[str, ...], Partition]] = {}

    def exists(self) -> bool:
        return self._exists

    def ensure_database(self, database: Database) -> bool:
        created, self._exists = not self._exists, True
        return created

    def list_tables(self) -> list[Table]:
        return sorted(self._tables.values(), key=lambda t: t.name)

    def get_table(self, name: str) -> Table | None:
        return self._tables.get(name)

    def put_table(self, table: Table, *, create: bool) -> None:
        self._tables[table.name] = table

    def get_partitions(self, table: str) -> list[Partition]:
        return sorted(self._partitions.get(table, {}).values(), key=lambda p: p.values)

    def apply_partitions(
        self,
        table: Table,
        *,
        add: Sequence[Partition] = (),
        update: Sequence[Partition] = (),
        delete: Sequence[tuple[str, ...]] = (),
    ) -> None:
        current = self._partitions.setdefault(table.name, {})
        for values in delete:
            current.pop(tuple(values), None)
        for part in (*add, *update):
            current[part.values] = part
