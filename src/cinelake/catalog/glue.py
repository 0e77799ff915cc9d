"""The AWS Glue Data Catalog backend (boto3).

Partitions go in batches: ``BatchCreatePartition`` takes at most 100, ``BatchDeletePartition`` 25 and
``BatchUpdatePartition`` 100 entries per call. Endpoint and region come from the usual AWS settings
(``AWS_ENDPOINT_URL``, ``AWS_DEFAULT_REGION``...), so the same code talks to Glue or to a local mock.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from cinelake.catalog.backend import CatalogError, database_name
from cinelake.catalog.model import Database, Partition, Table
from cinelake.errors import CinelakeError, ConfigError, needs_aws

CREATE_BATCH = 100
UPDATE_BATCH = 100
DELETE_BATCH = 25


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@contextmanager
def aws_errors(what: str, error: type[CinelakeError] = CatalogError) -> Iterator[None]:
    """botocore's errors as one line each, raised as ``error`` (no traceback, no request dump)."""
    with needs_aws(what):
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

    try:
        yield
    except NoCredentialsError:
        raise ConfigError(
            f"{what}: no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID)"
        ) from None
    except NoRegionError:
        raise ConfigError(f"{what}: no AWS region set (set AWS_DEFAULT_REGION)") from None
    except ClientError as exc:
        detail = exc.response.get("Error", {})
        raise error(f"{what}: {detail.get('Code', 'error')}: {detail.get('Message', exc)}") from None
    except BotoCoreError as exc:
        raise error(f"{what}: {exc}") from None


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


class GlueCatalog:
    """A :class:`~cinelake.catalog.backend.CatalogBackend` in the AWS Glue Data Catalog."""

    def __init__(self, database: str = "cinelake", *, client: Any = None) -> None:
        self.database = database_name(database)
        if client is None:
            with needs_aws("the Glue Data Catalog"):
                import boto3

            client = boto3.client("glue", region_name=region())
        self.client = client

    def __repr__(self) -> str:
        return f"GlueCatalog({self.database!r})"

    def exists(self) -> bool:
        with aws_errors(f"Glue GetDatabase {self.database}"):
            try:
                self.client.get_database(Name=self.database)
            except self.client.exceptions.EntityNotFoundException:
                return False
        return True

    def ensure_database(self, database: Database) -> bool:
        if self.exists():
            return False
        with aws_errors(f"Glue CreateDatabase {self.database}"):
            try:
                self.client.create_database(DatabaseInput=database.to_glue())
            except self.client.exceptions.AlreadyExistsException:
                return False
        return True

    def list_tables(self) -> list[Table]:
        tables: list[Table] = []
        with aws_errors(f"Glue GetTables {self.database}"):
            for page in self.client.get_paginator("get_tables").paginate(DatabaseName=self.database):
                tables.extend(Table.from_glue(t, self.database) for t in page.get("TableList", []))
        return sorted(tables, key=lambda t: t.name)

    def get_table(self, name: str) -> Table | None:
        with aws_errors(f"Glue GetTable {self.database}.{name}"):
            try:
                found = self.client.get_table(DatabaseName=self.database, Name=name)
            except self.client.exceptions.EntityNotFoundException:
                return None
        return Table.from_glue(found["Table"], self.database)

    def put_table(self, table: Table, *, create: bool) -> None:
        with aws_errors(f"Glue {'CreateTable' if create else 'UpdateTable'} {self.database}.{table.name}"):
            if create:
                self.client.create_table(DatabaseName=self.database, TableInput=table.to_glue())
            else:
                self.client.update_table(DatabaseName=self.database, TableInput=table.to_glue())

    def get_partitions(self, table: str) -> list[Partition]:
        parts: list[Partition] = []
        with aws_errors(f"Glue GetPartitions {self.database}.{table}"):
            pages = self.client.get_paginator("get_partitions").paginate(
                DatabaseName=self.database, TableName=table
            )
            for page in pages:
                parts.extend(Partition.from_glue(p) for p in page.get("Partitions", []))
        return sorted(parts, key=lambda p: p.values)

    def apply_partitions(
        self,
        table: Table,
        *,
        add: Sequence[Partition] = (),
        update: Sequence[Partition] = (),
        delete: Sequence[tuple[str, ...]] = (),
    ) -> None:
        where = f"{self.database}.{table.name}"
        with aws_errors(f"Glue BatchDeletePartition {where}"):
            for chunk in _chunks(list(delete), DELETE_BATCH):
                reply = self.client.batch_delete_partition(
                    DatabaseName=self.database,
                    TableName=table.name,
                    PartitionsToDelete=[{"Values": list(v)} for v in chunk],
                )
                self._check(reply.get("Errors"), "BatchDeletePartition", where)
        with aws_errors(f"Glue BatchCreatePartition {where}"):
            for chunk in _chunks(list(add), CREATE_BATCH):
                reply = self.client.batch_create_partition(
                    DatabaseName=self.database,
                    TableName=table.name,
                    PartitionInputList=[p.to_glue(table) for p in chunk],
                )
                self._check(reply.get("Errors"), "BatchCreatePartition", where)
        with aws_errors(f"Glue BatchUpdatePartition {where}"):
            for chunk in _chunks(list(update), UPDATE_BATCH):
                reply = self.client.batch_update_partition(
                    DatabaseName=self.database,
                    TableName=table.name,
                    Entries=[
                        {"PartitionValueList": list(p.values), "PartitionInput": p.to_glue(table)}
                        for p in chunk
                    ],
                )
                self._check(reply.get("Errors"), "BatchUpdatePartition", where)

    @staticmethod
    def _check(errors: Any, call: str, where: str) -> None:
        if errors:
            first = errors[0]
            detail = first.get("ErrorDetail", {})
            values = first.get("PartitionValues") or first.get("PartitionValueList") or []
            raise CatalogError(
                f"Glue {call} {where}: {len(errors)} partition(s) failed, first {values}: "
                f"{detail.get('ErrorCode', '')} {detail.get('ErrorMessage', '')}".rstrip()
            )
