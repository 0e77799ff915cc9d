"""The Raw -> Trusted Spark job reads what the series ingest writes: a discover of the packaged TV snapshot
(Comedy, Animation) becomes one typed Trusted row per series, with the values of the /tv/{id} responses."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from cinelake.config import Settings
from cinelake.ingest.runs import discover_series
from cinelake.lake.store import Lake
from cinelake.tmdb.server import serve_in_thread
from cinelake.tmdb.snapshot.tv import load_tv_snapshot

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOKEN = "series-spark-token-3b8e"


def test_trusted_series_from_a_discover_ingest(spark_session: Any, tmp_path: Path) -> None:
    from cinelake.spark.raw_to_trusted import raw_to_trusted

    lake = Lake(str(tmp_path / "lake"))
    with serve_in_thread(token=TOKEN) as url:
        settings = Settings(tmdb_base_url=url, tmdb_read_access_token=TOKEN, tmdb_rate_limit=0)
        ingested = discover_series(lake, ("Comedy", "Animation"), day=date(2026, 11, 26), settings=settings)
    assert ingested.status == "complete" and ingested.written == 42
    raw_to_trusted(lake, spark=spark_session)

    from cinelake.tables.datasets import DATASETS
    from cinelake.tables.reading import load_iceberg, scan_sql
    from cinelake.tables.registry import trusted_table
    from cinelake.tables.store import load

    trusted = load(lake, trusted_table(DATASETS[1]))
    assert trusted is not None
    with duckdb.connect() as con:
        load_iceberg(con)
        rows = con.execute(
            "SELECT tmdb_id, title, original_title, CAST(first_air_date AS VARCHAR), number_of_seasons, "
            "number_of_episodes, vote_average, vote_count, popularity, genre_ids, status, type, "
            "[n.name FOR n IN networks], imdb_id, CAST(dt AS VARCHAR) "
            f"FROM {scan_sql(trusted)}"
        ).fetchall()
    series = load_tv_snapshot().series
    assert len(rows) == 42 and len({r[0] for r in rows}) == 42
    for row in rows:
        show = series[row[0]]
        assert row[1:4] == (show["name"], show["original_name"], show["first_air_date"])
        assert row[4:6] == (show["number_of_seasons"] or None, show["number_of_episodes"] or None)
        assert row[6:9] == (show["vote_average"], show["vote_count"], show["popularity"])
        assert row[9] == [g["id"] for g in show["genres"]] and {16, 35} & set(row[9])
        assert row[10:12] == (show["status"], show["type"])
        assert row[12] == [n["name"].strip() for n in show["networks"]]
        assert row[13] is None  # the source carries no IMDB id, and nothing makes one up
        assert row[14] == "2026-11-26"
