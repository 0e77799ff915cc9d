"""The local catalog: Glue-shaped JSON documents inside the lake, under ``_catalog/<database>/``.

``database.json`` holds the database, ``tables/<name>.json`` a Glue ``TableInput`` and
``partitions/<name>.json`` the table's partitions (values, location, parameters). The lake folder is
thus self-contained: copy it anywhere and its catalog comes along.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from cinelake.catalog.backend import CatalogError, database_name
from cinelake.catalog.model import Database, Partition, Table
from cinelake.errors import LakeError
from cinelake.lake import layout
from cinelake.lake.store import Lake


class LocalCatalog:
    """A :class:`~cinelake.catalog.backend.CatalogBackend` stored in the lake itself."""

    def __init__(self, lake: Lake, database: str = "cinelake") -> None:
        self.lake = lake
        self.database = database_name(database)
        self.root = f"{layout.catalog_dir()}/{self.database}"

    def __repr__(self) -> str:
        return f"LocalCatalog({self.lake.url!r}, {self.database!r})"

    def _read(self, rel: str) -> Any:
        try:
            return orjson.loads(self.lake.read_bytes(rel))
        except orjson.JSONDecodeError as exc:
            raise CatalogError(f"the catalog file {self.lake.uri(rel)} is damaged: {exc}") from None

    def _write(self, rel: str, doc: Any) -> None:
        self.lake.write_bytes(rel, orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))

    def exists(self) -> bool:
        return self.lake.exists(f"{self.root}/database.json")

    def ensure_database(self, database: Database) -> bool:
        if self.exists():
            return False
        self._write(f"{self.root}/database.json", database.to_glue())
        return True

    def list_tables(self) -> list[Table]:
        prefix = f"{self.root}/tables"
        files = self.lake.list_files(prefix, include_hidden=True)
        tables = []
        for rel in files:
            if rel.endswith(".json") and not rel.rsplit("/", 1)[-1].startswith("."):
                tables.append(Table.from_glue(self._read(rel), self.database))
        return sorted(tables, key=lambda t: t.name)

    def get_table(self, name: str) -> Table | None:
        rel = f"{self.root}/tables/{name}.json"
        try:
            return Table.from_glue(self._read(rel), self.database)
        except LakeError:
            if not self.lake.exists(rel):
                return None
            raise

    def put_table(self, table: Table, *, create: bool) -> None:
        self._write(
            f"{self.root}/tables/{table.name}.json", {**table.to_glue(), "DatabaseName": self.database}
        )

    def get_partitions(self, table: str) -> list[Partition]:
        rel = f"{self.root}/partitions/{table}.json"
        if not self.lake.exists(rel):
            return []
        return [
            Partition(tuple(p["Values"]), p["Location"], dict(p.get("Parameters") or {}))
            for p in self._read(rel)
        ]

    def apply_partitions(
        self,
        table: Table,
        *,
        add: Sequence[Partition] = (),
        update: Sequence[Partition] = (),
        delete: Sequence[tuple[str, ...]] = (),
    ) -> None:
        if not (add or update or delete):
            return
        current = {p.values: p for p in self.get_partitions(table.name)}
        for values in delete:
            current.pop(tuple(values), None)
        for part in (*add, *update):
            current[part.values] = part
        docs = [
            {"Values": list(p.values), "Location": p.location, "Parameters": p.parameters}
            for p in sorted(current.values(), key=lambda p: p.values)
        ]
        self._write(f"{self.root}/partitions/{table.name}.json", docs)
