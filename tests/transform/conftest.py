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

    @property
    def lake(self) -> Lake:
        return self.raw.lake

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        """Run DuckDB SQL where ``{Trusted/...}`` / ``{Refined/...}`` name lake folders of Parquet."""
        import duckdb

        def table(rel: str) -> str:
            return f"read_parquet('{self.lake.uri(rel)}/**/*.parquet', hive_partitioning=true)"

        text = re.sub(r"\{([A-Za-z/_]+)\}", lambda m: table(m[1]), query)
        with duckdb.connect() as con:
            return con.execute(text).fetchall()


@pytest.fixture(scope="session")
def pipeline(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    """Raw (two days, see tests.spark.lakes) -> Trusted -> Refined on DuckDB, run once for the session."""
    from cinelake.catalog import crawl
    from cinelake.transform import raw_to_trusted, trusted_to_refined

    lake = Lake(str(tmp_path_factory.mktemp("duckdb-lake")))
    raw = build_raw(lake, shared_data)
    crawl(lake, zone="Raw")  # the lake has a catalog: the jobs must keep it current
    trusted = raw_to_trusted(lake, engine="duckdb")
    refined = trusted_to_refined(lake, engine="duckdb")
    return Pipeline(raw, trusted, refined)
