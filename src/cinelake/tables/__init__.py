"""Every Trusted and Refined table of the lake, as Apache Iceberg tables.

The package owns what the two engines share: the Raw datasets and their days (:mod:`.datasets`), the
Raw read schemas (:mod:`.raw_schemas`), each table's name, folder and partition column
(:mod:`.registry`), the lake's Iceberg catalog (:mod:`.catalog`: SQLite in a folder lake, Glue for
s3://), the one commit that turns the Parquet files an engine wrote into a snapshot
(:mod:`.store`), the raw-to-trusted plan (:mod:`.plan`) and DuckDB's reading of a snapshot
(:mod:`.reading`). The engines (``cinelake.transform``, ``cinelake.spark``) build on it and never on
each other.
"""

from cinelake.tables.catalog import ICEBERG_DB, namespace, open_catalog
from cinelake.tables.registry import ALL_TABLES, REFINED_TABLES, TRUSTED_TABLES, TableDef, table_def
from cinelake.tables.store import Commit, TableCommitError, commit_files, data_files, load, place, write_arrow

__all__ = [
    "ALL_TABLES",
    "ICEBERG_DB",
    "REFINED_TABLES",
    "TRUSTED_TABLES",
    "Commit",
    "TableCommitError",
    "TableDef",
    "commit_files",
    "data_files",
    "load",
    "namespace",
    "open_catalog",
    "place",
    "table_def",
    "write_arrow",
]
