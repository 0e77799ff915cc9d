"""Turning a listed, inferred dataset into a Glue-shaped table (storage, SerDe, parameters, projection)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from cinelake.catalog import model as m
from cinelake.catalog.datasets import Dataset
from cinelake.catalog.infer import CSV_NULL, CsvDialect
from cinelake.catalog.model import Column, SerDeInfo, StorageDescriptor, Table

P_PATH = "cinelake.path"  # the lake-relative folder: readers resolve it against the lake they open
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def storage_for(
    dataset: Dataset, columns: tuple[Column, ...], location: str, dialect: CsvDialect | None
) -> StorageDescriptor:
    """Input/output formats and SerDe of a dataset's classification, as Glue's crawler would set them."""
    if dataset.classification == "parquet":
        return StorageDescriptor(
            columns,
            location,
            m.PARQUET_INPUT,
            m.PARQUET_OUTPUT,
            SerDeInfo(m.PARQUET_SERDE, {"serialization.format": "1"}),
        )
    if dataset.classification == "json":
        return StorageDescriptor(
            columns,
            location,
            m.TEXT_INPUT,
            m.TEXT_OUTPUT,
            SerDeInfo(m.JSON_SERDE, {"paths": ",".join(c.name for c in columns)}),
        )
    dialect = dialect or CsvDialect("|", quoted=False)
    if dialect.quoted:
        serde = SerDeInfo(
            m.OPEN_CSV_SERDE, {"separatorChar": dialect.delimiter, "quoteChar": '"', "escapeChar": "\\"}
        )
    else:
        serde = SerDeInfo(
            m.LAZY_SIMPLE_SERDE,
            {
                "field.delim": dialect.delimiter,
                "serialization.format": dialect.delimiter,
                "serialization.null.format": CSV_NULL,
            },
        )
    return StorageDescriptor(columns, location, m.TEXT_INPUT, m.TEXT_OUTPUT, serde)


def projection(dataset: Dataset, location: str, values: list[tuple[str, ...]]) -> dict[str, str]:
    """Athena partition projection for ``YYYY/MM/DD`` folders and ``dt=YYYY-MM-DD`` folders.

    With it Athena computes the partitions from the query instead of the catalog, so new days are
    queryable at once and no ``MSCK REPAIR TABLE`` is needed.
    """
    base = location.rstrip("/") + "/"
    if dataset.layout == "date" and values:
        years = sorted(int(v[0]) for v in values)
        last = max(years[-1], datetime.now(UTC).year) + 1
        return {
            "projection.enabled": "true",
            "projection.year.type": "integer",
            "projection.year.range": f"{years[0]},{last}",
            "projection.year.digits": "4",
            "projection.month.type": "integer",
            "projection.month.range": "1,12",
            "projection.month.digits": "2",
            "projection.day.type": "integer",
            "projection.day.range": "1,31",
            "projection.day.digits": "2",
            "storage.location.template": base + "${year}/${month}/${day}/",
        }
    if (
        dataset.layout == "hive"
        and dataset.keys == ("dt",)
        and values
        and all(_ISO_DATE.match(v[0]) for v in values)
    ):
        first = min(v[0] for v in values)
        return {
            "projection.enabled": "true",
            "projection.dt.type": "date",
            "projection.dt.format": "yyyy-MM-dd",
            "projection.dt.range": f"{first},NOW",
            "projection.dt.interval": "1",
            "projection.dt.interval.unit": "DAYS",
            "storage.location.template": base + "dt=${dt}/",
        }
    return {}


def build_table(
    dataset: Dataset,
    database: str,
    location: str,
    columns: tuple[Column, ...],
    dialect: CsvDialect | None,
    stats: dict[str, str],
    values: list[tuple[str, ...]],
) -> Table:
    params = {
        m.P_CLASSIFICATION: dataset.classification,
        "typeOfData": "file",
        "compressionType": "none",
        "EXTERNAL": "TRUE",
        m.P_ZONE: dataset.zone.value,
        m.P_LAYOUT: dataset.layout,
        m.P_EXTENSION: dataset.extension,
        P_PATH: dataset.rel,
        **stats,
    }
    if dataset.classification == "csv":
        dialect = dialect or CsvDialect("|", quoted=False)
        params.update(
            {
                "skip.header.line.count": "1",
                "delimiter": dialect.delimiter,
                "areColumnsQuoted": str(dialect.quoted).lower(),
            }
        )
    params.update(projection(dataset, location, values))
    keys = tuple(Column(k, "string") for k in dataset.keys)
    return Table(dataset.table, database, storage_for(dataset, columns, location, dialect), keys, params)


def projection_location(params: dict[str, str], old: str, new: str) -> dict[str, str]:
    """The table's projection properties, the location template moved from ``old`` to ``new``."""
    out = {k: v for k, v in params.items() if k.startswith("projection.")}
    template = params.get("storage.location.template")
    if template:
        out["storage.location.template"] = (
            new + template[len(old) :] if template.startswith(old) else template
        )
    return out
