"""The DuckDB side of the transformation engine: a bounded connection that reaches the lake.

Memory is capped (``CINELAKE_DUCKDB_MEMORY_LIMIT``, default 1 GB) and DuckDB spills to
``CINELAKE_DUCKDB_TEMP_DIRECTORY`` (default: a ``cinelake-duckdb`` folder in the system temp folder)
once the cap is reached, so a Raw zone larger than memory is processed, not refused. A remote lake
(``s3://``) is read and written through the lake's own fsspec filesystem, as ``cinelake sql`` does.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from cinelake.errors import CinelakeError
from cinelake.lake.store import Lake
from cinelake.query.duck import register_lake

if TYPE_CHECKING:
    import duckdb

MEMORY_LIMIT_ENV = "CINELAKE_DUCKDB_MEMORY_LIMIT"
TEMP_DIRECTORY_ENV = "CINELAKE_DUCKDB_TEMP_DIRECTORY"
THREADS_ENV = "CINELAKE_DUCKDB_THREADS"
DEFAULT_MEMORY_LIMIT = "1GB"


class DuckJobError(CinelakeError):
    """A DuckDB transformation failed for a reason other than the user's input."""


def temp_directory() -> str:
    return os.environ.get(TEMP_DIRECTORY_ENV) or os.path.join(tempfile.gettempdir(), "cinelake-duckdb")


def connect(lake: Lake) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with the memory cap, the spill folder and the lake's filesystem."""
    import duckdb

    spill = temp_directory()
    os.makedirs(spill, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT,
        "temp_directory": spill,
        # Row order inside a Parquet file carries no meaning here; not keeping it lets big sorts spill.
        "preserve_insertion_order": False,
    }
    threads = os.environ.get(THREADS_ENV)
    if threads:
        config["threads"] = int(threads)
    con = duckdb.connect(":memory:", config=config)
    con.execute("SET enable_progress_bar = false")  # the jobs report their own progress
    register_lake(con, lake)
    return con


@contextmanager
def duck_errors(job: str) -> Iterator[None]:
    """Turn a DuckDB failure into :class:`DuckJobError` (one line; the cause stays chained)."""
    import duckdb

    try:
        yield
    except CinelakeError:
        raise
    except duckdb.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise DuckJobError(f"{job} failed: {first}") from exc


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_list(values: list[str]) -> str:
    return "[" + ", ".join(sql_string(v) for v in values) + "]"
