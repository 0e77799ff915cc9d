"""The lake's data catalog: a Glue-shaped model, a crawler, a local and a Glue backend, Athena DDL."""

from cinelake.catalog.backend import CatalogBackend, CatalogError, TableNotFound, require_table
from cinelake.catalog.crawler import CrawlSummary, SchemaChange, TableChange, crawl, open_backend
from cinelake.catalog.ddl import athena_ddl
from cinelake.catalog.listing import format_partitions, format_summary, format_table, format_tables
from cinelake.catalog.model import Column, Database, Partition, SerDeInfo, StorageDescriptor, Table
from cinelake.catalog.update import update_catalog

__all__ = [
    "CatalogBackend",
    "CatalogError",
    "Column",
    "CrawlSummary",
    "Database",
    "Partition",
    "SchemaChange",
    "SerDeInfo",
    "StorageDescriptor",
    "Table",
    "TableChange",
    "TableNotFound",
    "athena_ddl",
    "crawl",
    "format_partitions",
    "format_summary",
    "format_table",
    "format_tables",
    "open_backend",
    "require_table",
    "update_catalog",
]
