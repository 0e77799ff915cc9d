"""The stable negative key of a text without an id, the same in every engine.

Spark computes it as ``-(xxhash64(text) & 0x7FFF_FFFF_FFFF_FFFF) - 1``; Spark's ``xxhash64`` of a
string is XXH64 of its UTF-8 bytes with seed 42, read as a signed 64-bit integer. DuckDB has no XXH64,
so the DuckDB engine registers :func:`name_key` as a function (over the distinct texts, not every row).
Two uses: ``name_key(name)`` hashes the lower-cased, trimmed name (a genre, company or network named
without an id); ``text_key(text)`` hashes the text as it is (a CSV title's IMDB id, a person's
``name|birth_year``).
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
    """The key Spark's ``text_key`` gives ``name`` (for ``name_key``: an already lower-cased, trimmed
    name)."""
    return -(spark_xxhash64(name) & _MASK) - 1


@lru_cache(maxsize=65536)
def _cached(name: str) -> int:
    return name_key(name)


def register(con: duckdb.DuckDBPyConnection) -> None:
    """``text_key(VARCHAR) -> BIGINT`` and ``name_key(VARCHAR) -> BIGINT`` (lower-casing and trimming
    like the Spark job) on ``con``.

    A plain Python function called once per row (NULL in, NULL out without a call), cached per name:
    the names are few (thousands), and an Arrow-vectorised function would import pandas first.
    """
    con.create_function("text_key", _cached, ["VARCHAR"], "BIGINT")
    # lower/trim in SQL, so the hash sees what Spark's lower(trim(name)) sees.
    con.execute("CREATE OR REPLACE MACRO name_key(name) AS text_key(lower(trim(name, ' ')))")
