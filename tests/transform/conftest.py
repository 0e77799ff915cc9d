"""A lake the DuckDB engine has run over once (Raw of tests.spark.lakes -> Trusted -> Refined)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cinelake.lake.store import Lake
from tests.spark.lakes import RawFixture, build_raw


@dataclass
class Pipeline:
    raw: RawFixture
    trusted: Any  # RawToTrustedResult
    refined: Any  # RefinedResult
    duck: Any = None  # the DuckDB connection sql() reuses

    @property
    def lake(self) -> Lake:
        return self.raw.lake

    def arrow_schema(self, rel: str) -> Any:
        """The Arrow schema DuckDB reads for the Iceberg table in folder ``rel``."""
        import duckdb

        from cinelake.tables.reading import load_iceberg, scan_sql
        from cinelake.tables.registry import ALL_TABLES
        from cinelake.tables.store import load

        found = load(self.lake, next(t for t in ALL_TABLES if t.rel == rel))
        assert found is not None, rel
        with duckdb.connect() as con:
            load_iceberg(con)
            return con.execute(f"SELECT * FROM {scan_sql(found)} LIMIT 0").to_arrow_table().schema

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        """Run DuckDB SQL where ``{Trusted/...}`` / ``{Refined/...}`` name the lake folders of Iceberg
        tables, each read at its current snapshot."""
        import duckdb

        from cinelake.tables.reading import load_iceberg, scan_sql
        from cinelake.tables.registry import ALL_TABLES
        from cinelake.tables.store import load

        def table(rel: str) -> str:
            found = load(self.lake, next(t for t in ALL_TABLES if t.rel == rel))
            assert found is not None, rel
            return scan_sql(found)

        text = re.sub(r"\{([A-Za-z/_]+)\}", lambda m: table(m[1]), query)
        if self.duck is None:  # loading the iceberg extension takes a fraction of a second: once
            self.duck = duckdb.connect()
            load_iceberg(self.duck)
        return self.duck.execute(text).fetchall()


@pytest.fixture(scope="session")
def pipeline(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    """Raw (two days, see tests.spark.lakes) -> Trusted -> Refined on DuckDB, run once for the session."""
    from cinelake.catalog import crawl
    from cinelake.engines import raw_to_trusted, trusted_to_refined

    lake = Lake(str(tmp_path_factory.mktemp("duckdb-lake")))
    raw = build_raw(lake, real_data)
    crawl(lake, zone="Raw")  # the lake has a catalog: the jobs must keep it current
    trusted = raw_to_trusted(lake, engine="duckdb")
    refined = trusted_to_refined(lake, engine="duckdb")
    return Pipeline(raw, trusted, refined)
