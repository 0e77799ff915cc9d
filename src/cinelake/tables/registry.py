"""Every Trusted and Refined table of the lake: its catalog name, its folder and its partition column.

The names are the catalog names the crawler gave these folders before they were Iceberg tables
(``trusted_tmdb_movies``, ``fact_movie``...), so queries written against the lake keep working.
The columns are what the transformations write (one definition per engine, kept equal by
tests/spark/test_engines_agree.py): a table is created from the first Parquet file committed to it,
every field optional, and later commits may add columns (schema evolution by name), never change one.
"""

from __future__ import annotations

from dataclasses import dataclass

from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Zone
from cinelake.tables.datasets import DATASETS, TrustedDataset


@dataclass(frozen=True)
class TableDef:
    """One Iceberg table: catalog name, lake-relative location, identity partition column (or None)."""

    name: str
    rel: str
    zone: Zone
    partition: str | None = None


def _snake(*parts: str) -> str:
    return "_".join(parts).lower()


def trusted_table(dataset: TrustedDataset) -> TableDef:
    """The Trusted table of a Raw dataset, partitioned by ``dt`` (the Raw folder's day)."""
    return TableDef(
        _snake(Zone.TRUSTED.value, dataset.origin.value, dataset.spec),
        dataset.trusted_dir,
        Zone.TRUSTED,
        "dt",
    )


REFINED_NAMES: tuple[str, ...] = (
    "fact_movie",
    "fact_movie_history",
    "dim_movie",
    "dim_date",
    "dim_genre",
    "bridge_movie_genre",
    "dim_language",
    "bridge_movie_language",
    "dim_country",
    "bridge_movie_country",
    "dim_company",
    "bridge_movie_company",
    "fact_series",
    "dim_series",
    "bridge_series_genre",
    "dim_network",
    "bridge_series_network",
    "bridge_series_language",
    "bridge_series_country",
    "dim_person",
    "bridge_movie_person",
    "bridge_series_person",
    "bridge_person_known_for",
)
"""The Refined star schema (ARCHITECTURE.md lists the columns); both engines write every one."""

HISTORY_TABLE = "fact_movie_history"
"""Partitioned by the collection day (``snapshot_date``): a rebuild replaces the days it wrote."""


def refined_table(name: str) -> TableDef:
    if name not in REFINED_NAMES:
        raise UsageError(f"no Refined table {name!r}: choose one of {', '.join(REFINED_NAMES)}")
    partition = "snapshot_date" if name == HISTORY_TABLE else None
    return TableDef(name, layout.refined_table(name), Zone.REFINED, partition)


TRUSTED_TABLES: tuple[TableDef, ...] = tuple(trusted_table(d) for d in DATASETS)
REFINED_TABLES: tuple[TableDef, ...] = tuple(refined_table(n) for n in REFINED_NAMES)
ALL_TABLES: tuple[TableDef, ...] = TRUSTED_TABLES + REFINED_TABLES


def table_def(name: str) -> TableDef:
    """The table called ``name`` (a Trusted or Refined catalog name), or a one-line UsageError."""
    for table in ALL_TABLES:
        if table.name == name:
            return table
    raise UsageError(f"no Iceberg table {name!r} in the lake: {', '.join(t.name for t in ALL_TABLES)}")
