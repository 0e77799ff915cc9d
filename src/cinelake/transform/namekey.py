"""The stable negative key of a name without an id, the same in every engine.

Spark computes it as ``-(xxhash64(lower(trim(name))) & 0x7FFF_FFFF_FFFF_FFFF) - 1``; Spark's
``xxhash64`` of a string is XXH64 of its UTF-8 bytes with seed 42, read as a signed 64-bit integer.
DuckDB has no XXH64, so the DuckDB engine registers :func:`name_key` as a function (over the few
distinct names, not every row).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

SPARK_HASH_SEED = 42
_MASK = 0x7FFF_FFFF_FFFF_FFFF


def spark_xxhash64(text: str) -> int:
    """Spark's ``xxhash64`` of one string."""
    import xxhash

    value = xxhash.xxh64_intdigest(text.encode("utf-8"), seed=SPARK_HASH_SEED)
    return value - (1 << 64) if value >= (1 << 63) else value


def name_key(name: str) -> int:
    """The key Spark's ``name_key`` gives ``name`` (an already lower-cased, trimmed name)."""
    return -(spark_xxhash64(name) & _MASK) - 1


@lru_cache(maxsize=65536)
def _cached(name: str) -> int:
    return name_key(name)


def register(con: duckdb.DuckDBPyConnection) -> None:
    """``name_key(VARCHAR) -> BIGINT`` on ``con``, lower-casing and trimming like the Spark job."""
    import pyarrow as pa

    # No annotations: DuckDB evaluates them, and they are strings under postponed evaluation.
    def vectorised(names):  # type: ignore[no-untyped-def]
        keys = [None if n is None else _cached(n) for n in names.to_pylist()]
        return pa.array(keys, type=pa.int64())

    con.create_function(  # type: ignore[call-overload]
        "name_key_raw",
        vectorised,
        ["VARCHAR"],
        "BIGINT",
        type="arrow",
        null_handling="special",
    )
    # lower/trim in SQL, so the hash sees what Spark's lower(trim(name)) sees.
    con.execute("CREATE OR REPLACE MACRO name_key(name) AS name_key_raw(lower(trim(name, ' ')))")
