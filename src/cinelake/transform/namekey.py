"""The stable negative key of a text without an id, the same in every engine.

Spark computes it as ``-(xxhash64(text) & 0x7FFF_FFFF_FFFF_FFFF) - 1``; Spark's ``xxhash64`` of a
string is XXH64 of its UTF-8 bytes with seed 42, read as a signed 64-bit integer. DuckDB has no XXH64,
so the DuckDB engine hashes the texts it will key in Python, once each, and looks the keys up in SQL
(:func:`register`). Two uses: ``name_key(name)`` hashes the lower-cased, trimmed name (a genre,
company or network named without an id); ``text_key(text)`` hashes the text as it is (a CSV title's
IMDB id, a person's ``name|birth_year``).
"""

from __future__ import annotations

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


def name_text(name: str) -> str:
    """The SQL of the text ``name_key`` hashes for the SQL expression ``name``: Spark's
    ``lower(trim(name))`` (DuckDB's ``trim`` without characters would also remove a no-break space)."""
    return f"lower(trim({name}, ' '))"


def person_text(name: str, birth_year: str) -> str:
    """The SQL of the text a person's key hashes: ``name|birth_year`` (an unknown year is empty)."""
    return f"{name} || '|' || coalesce(CAST({birth_year} AS VARCHAR), '')"


def register(con: duckdb.DuckDBPyConnection, texts: str) -> int:
    """``text_key(VARCHAR) -> BIGINT`` and ``name_key(VARCHAR) -> BIGINT`` (lower-casing and trimming
    like the Spark job) on ``con``, for every text the query ``texts`` gives (one ``VARCHAR`` column;
    any other text keys to NULL). Returns how many texts were keyed.

    The keys are computed here, once per distinct text, into the temporary table ``text_keys`` that
    ``text_key`` looks up (a join DuckDB plans like any other). Not a DuckDB Python function: those
    need numpy, which nothing else of the package needs, and the per-row kind looks for pandas on
    every call (where pandas is missing, a failed import per row: ten times the whole transform).
    The keys reach DuckDB as a JSON Lines file it reads, not as a Python object (an Arrow table, or a
    list bound as a parameter): DuckDB's Python module imports pandas and numpy, where they are
    installed, the first time a Python value crosses into a query: 0.36 s of trusted-to-refined's
    main thread on the snapshot lake (pyinstrument), where the job waits for it.
    """
    import os
    import tempfile

    import orjson

    from cinelake.transform.duck import sql_string

    distinct = [row[0] for row in con.execute(f"SELECT DISTINCT * FROM ({texts})").fetchall()]
    found = [text for text in distinct if text is not None]
    handle, path = tempfile.mkstemp(prefix="cinelake-keys-", suffix=".jsonl")
    try:
        with os.fdopen(handle, "wb") as out:
            out.writelines(orjson.dumps({"text": t, "key": name_key(t)}) + b"\n" for t in found)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE text_keys AS SELECT text, key FROM read_json("
            f"{sql_string(path)}, format = 'newline_delimited', "
            "columns = {'text': 'VARCHAR', 'key': 'BIGINT'})"
        )
    finally:
        os.unlink(path)
    con.execute("CREATE OR REPLACE MACRO text_key(t) AS (SELECT key FROM text_keys WHERE text = t)")
    con.execute(f"CREATE OR REPLACE MACRO name_key(name) AS text_key({name_text('name')})")
    return len(found)
