"""Trusted rows a position-delete file removes (as Athena's UPDATE, DELETE and MERGE leave them) stay
out of Refined, and an engine that cannot apply delete files says so instead of reading them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cinelake.engines import raw_to_trusted, trusted_to_refined
from cinelake.errors import LakeError
from cinelake.lake.layout import Origin
from cinelake.lake.store import Lake
from cinelake.tables.datasets import DATASETS
from cinelake.tables.reading import load_iceberg, scan_sql
from cinelake.tables.registry import TableDef, refined_table, trusted_table
from cinelake.tables.store import data_files, load, planned_files
from tests.spark.lakes import FIGHT_CLUB, build_raw
from tests.tables.position_deletes import delete_rows

pytestmark = [pytest.mark.integration]

MOVIES = trusted_table(next(d for d in DATASETS if d.origin is Origin.TMDB and d.spec == "Movies"))


def _scan(lake: Lake, query: str, **tables: TableDef) -> list[tuple[object, ...]]:
    """``query`` with ``{name}`` standing for each of ``tables`` read by DuckDB's ``iceberg_scan``
    (which applies delete files)."""
    scans = {}
    for name, table in tables.items():
        found = load(lake, table)
        assert found is not None
        scans[name] = scan_sql(found)
    with duckdb.connect() as con:
        load_iceberg(con)
        return con.execute(query.format(**scans)).fetchall()


def _trusted_lake(real_data: Path, folder: Path) -> Lake:
    """Raw of tests.spark.lakes made Trusted on DuckDB."""
    lake = Lake(str(folder))
    build_raw(lake, real_data)
    raw_to_trusted(lake, engine="duckdb")
    return lake


def test_rows_deleted_from_trusted_by_a_delete_file_do_not_come_back_in_refined(
    real_data: Path, tmp_path: Path
) -> None:
    lake = _trusted_lake(real_data, tmp_path)
    before = trusted_to_refined(lake, engine="duckdb").tables["Refined/fact_movie"]
    films = f"SELECT count(*) FROM {{fact}} JOIN {{dim}} USING (movie_key) WHERE tmdb_id = {FIGHT_CLUB}"
    refined = {"fact": refined_table("fact_movie"), "dim": refined_table("dim_movie")}
    assert _scan(lake, films, **refined) == [(1,)]
    table = load(lake, MOVIES)
    assert table is not None
    deleted = delete_rows(table, "tmdb_id", FIGHT_CLUB)  # on both days: every version of the film
    assert deleted >= 2
    # The delete file is a real one: DuckDB's iceberg_scan applies it ...
    assert _scan(lake, f"SELECT count(*) FROM {{t}} WHERE tmdb_id = {FIGHT_CLUB}", t=MOVIES) == [(0,)]
    # ... and pyiceberg plans it beside the data files it names.
    data, deletes = planned_files(load(lake, MOVIES))  # type: ignore[arg-type]
    assert data and len(deletes) >= 1

    after = trusted_to_refined(lake, engine="duckdb").tables["Refined/fact_movie"]

    assert _scan(lake, films, **refined) == [(0,)]
    assert after == before - 1


def test_an_engine_reading_plain_files_refuses_a_table_with_delete_files(
    real_data: Path, tmp_path: Path
) -> None:
    lake = _trusted_lake(real_data, tmp_path)
    assert data_files(lake, MOVIES)  # no delete file: the planned Parquet files
    table = load(lake, MOVIES)
    assert table is not None
    delete_rows(table, "tmdb_id", FIGHT_CLUB)

    with pytest.raises(
        LakeError, match=r"trusted_tmdb_movies has \d+ delete file\(s\).*--engine duckdb"
    ) as caught:
        data_files(lake, MOVIES)
    assert "\n" not in str(caught.value)
