"""The catalog model, shaped like the AWS Glue Data Catalog API so one model serves both backends.

``Table.to_glue()`` is a Glue ``TableInput``, ``Partition.to_glue()`` a ``PartitionInput``; the local
catalog stores exactly these dictionaries, and ``from_glue`` reads back what either backend returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

# Input/output formats and SerDes as Glue and Athena name them.
TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
LAZY_SIMPLE_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"

# Table parameters this project reads back (besides Glue's own classification, recordCount, sizeKey...).
P_CLASSIFICATION = "classification"
P_RECORD_COUNT = "recordCount"
P_RECORD_COUNT_EXACT = "cinelake.recordCountExact"
P_SIZE = "sizeKey"
P_OBJECTS = "objectCount"
P_EXTENSION = "cinelake.fileExtension"
P_LAYOUT = "cinelake.partitionLayout"  # "none" | "date" (YYYY/MM/DD) | "hive"
P_ZONE = "cinelake.zone"
P_NUM_FILES = "numFiles"
P_TOTAL_SIZE = "totalSize"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str = ""

    def to_glue(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Name": self.name, "Type": self.type}
        if self.comment:
            out["Comment"] = self.comment
        return out

    @classmethod
    def from_glue(cls, data: dict[str, Any]) -> Column:
        return cls(str(data["Name"]), str(data.get("Type", "string")), str(data.get("Comment", "")))


@dataclass(frozen=True)
class SerDeInfo:
    serialization_library: str
    parameters: dict[str, str] = field(default_factory=dict)

    def to_glue(self) -> dict[str, Any]:
        return {"SerializationLibrary": self.serialization_library, "Parameters": dict(self.parameters)}

    @classmethod
    def from_glue(cls, data: dict[str, Any]) -> SerDeInfo:
        return cls(str(data.get("SerializationLibrary", "")), dict(data.get("Parameters") or {}))


@dataclass(frozen=True)
class StorageDescriptor:
    columns: tuple[Column, ...]
    location: str
    input_format: str
    output_format: str
    serde: SerDeInfo
    compressed: bool = False
    parameters: dict[str, str] = field(default_factory=dict)

    def to_glue(self) -> dict[str, Any]:
        return {
            "Columns": [c.to_glue() for c in self.columns],
            "Location": self.location,
            "InputFormat": self.input_format,
            "OutputFormat": self.output_format,
            "Compressed": self.compressed,
            "SerdeInfo": self.serde.to_glue(),
            "Parameters": dict(self.parameters),
        }

    @classmethod
    def from_glue(cls, data: dict[str, Any]) -> StorageDescriptor:
        return cls(
            columns=tuple(Column.from_glue(c) for c in data.get("Columns") or []),
            location=str(data.get("Location", "")),
            input_format=str(data.get("InputFormat", "")),
            output_format=str(data.get("OutputFormat", "")),
            serde=SerDeInfo.from_glue(data.get("SerdeInfo") or {}),
            compressed=bool(data.get("Compressed", False)),
            parameters=dict(data.get("Parameters") or {}),
        )


@dataclass(frozen=True)
class Partition:
    """One partition: its values (in the order of the table's keys) and its own location and stats."""

    values: tuple[str, ...]
    location: str
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def num_files(self) -> int:
        return int(self.parameters.get(P_NUM_FILES, "0"))

    @property
    def total_size(self) -> int:
        return int(self.parameters.get(P_TOTAL_SIZE, "0"))

    @property
    def record_count(self) -> int | None:
        value = self.parameters.get(P_RECORD_COUNT)
        return int(value) if value is not None else None

    def to_glue(self, table: Table) -> dict[str, Any]:
        """A Glue ``PartitionInput``: the table's storage with this partition's location."""
        sd = replace(table.storage, location=self.location).to_glue()
        return {"Values": list(self.values), "StorageDescriptor": sd, "Parameters": dict(self.parameters)}

    @classmethod
    def from_glue(cls, data: dict[str, Any]) -> Partition:
        sd = data.get("StorageDescriptor") or {}
        return cls(
            tuple(str(v) for v in data.get("Values") or []),
            str(sd.get("Location", "")),
            dict(data.get("Parameters") or {}),
        )


@dataclass(frozen=True)
class Table:
    name: str
    database: str
    storage: StorageDescriptor
    partition_keys: tuple[Column, ...] = ()
    parameters: dict[str, str] = field(default_factory=dict)
    description: str = ""
    table_type: str = "EXTERNAL_TABLE"

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.storage.columns

    @property
    def location(self) -> str:
        return self.storage.location

    @property
    def classification(self) -> str:
        return self.parameters.get(P_CLASSIFICATION, "")

    @property
    def layout(self) -> str:
        return self.parameters.get(P_LAYOUT, "none")

    @property
    def record_count(self) -> int | None:
        value = self.parameters.get(P_RECORD_COUNT)
        return int(value) if value is not None else None

    @property
    def size(self) -> int:
        return int(self.parameters.get(P_SIZE, "0"))

    def to_glue(self) -> dict[str, Any]:
        """A Glue ``TableInput``."""
        out: dict[str, Any] = {
            "Name": self.name,
            "TableType": self.table_type,
            "StorageDescriptor": self.storage.to_glue(),
            "PartitionKeys": [k.to_glue() for k in self.partition_keys],
            "Parameters": dict(self.parameters),
        }
        if self.description:
            out["Description"] = self.description
        return out

    @classmethod
    def from_glue(cls, data: dict[str, Any], database: str | None = None) -> Table:
        return cls(
            name=str(data["Name"]),
            database=str(database or data.get("DatabaseName", "")),
            storage=StorageDescriptor.from_glue(data.get("StorageDescriptor") or {}),
            partition_keys=tuple(Column.from_glue(k) for k in data.get("PartitionKeys") or []),
            parameters=dict(data.get("Parameters") or {}),
            description=str(data.get("Description", "")),
            table_type=str(data.get("TableType", "EXTERNAL_TABLE")),
        )


@dataclass(frozen=True)
class Database:
    name: str
    description: str = ""
    location_uri: str = ""
    parameters: dict[str, str] = field(default_factory=dict)

    def to_glue(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Name": self.name, "Parameters": dict(self.parameters)}
        if self.description:
            out["Description"] = self.description
        if self.location_uri:
            out["LocationUri"] = self.location_uri
        return out

    @classmethod
    def from_glue(cls, data: dict[str, Any]) -> Database:
        return cls(
            str(data["Name"]),
            str(data.get("Description", "")),
            str(data.get("LocationUri", "")),
            dict(data.get("Parameters") or {}),
        )
