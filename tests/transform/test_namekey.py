"""The DuckDB engine's ``text_key`` / ``name_key``: the keys :func:`name_key` gives, on every row, with
no DuckDB Python function (those need numpy, which the package does not install, and look for pandas
on every row)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import duckdb

from cinelake.transform import namekey

NAMES = (
    "SELECT CASE WHEN i % 7 = 0 THEN NULL ELSE ' Name ' || (i % 50)::VARCHAR END AS t FROM range(5000) r(i)"
)


def test_keys_match_name_key_on_every_row() -> None:
    con = duckdb.connect()
    texts = f"SELECT t FROM ({NAMES}) UNION ALL SELECT lower(trim(t, ' ')) FROM ({NAMES})"
    keyed = namekey.register(con, texts)
    assert keyed == 100
    rows = con.execute(f"SELECT t, text_key(t), name_key(t) FROM ({NAMES})").fetchall()
    assert len(rows) == 5000
    for text, text_key, name_key in rows:
        if text is None:
            assert text_key is None and name_key is None
        else:
            assert text_key == namekey.name_key(text) < 0
            assert name_key == namekey.name_key(text.strip(" ").lower())


def test_a_text_not_registered_has_no_key() -> None:
    con = duckdb.connect()
    namekey.register(con, "SELECT 'Drama' AS t")
    found = con.execute("SELECT text_key('Drama'), text_key('Comedy')").fetchone()
    assert found == (namekey.name_key("Drama"), None)


def test_keys_need_neither_numpy_nor_pandas() -> None:
    """In a process where numpy and pandas cannot be imported, the keys are there, and no import of
    them was tried per row (a per-row function tried pandas 167,584 times in the demo's
    trusted-to-refined)."""
    script = textwrap.dedent(
        """
        import sys

        attempts = 0

        class Missing:
            def find_spec(self, name, path=None, target=None):
                global attempts
                if name.split(".")[0] in ("numpy", "pandas"):
                    attempts += 1
                    raise ModuleNotFoundError(f"No module named {name!r}")
                return None

        for name in list(sys.modules):
            if name.split(".")[0] in ("numpy", "pandas"):
                del sys.modules[name]
        sys.meta_path.insert(0, Missing())
        import duckdb
        from cinelake.transform import namekey

        con = duckdb.connect()
        namekey.register(con, "SELECT 'name ' || i::VARCHAR FROM range(100) r(i)")
        before = attempts
        sql = "SELECT count(text_key('name ' || (i % 100)::VARCHAR)) FROM range(50000) r(i)"
        assert con.execute(sql).fetchone()[0] == 50000
        print(attempts - before)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert int(done.stdout) <= 4, done.stdout


def test_keys_load_neither_numpy_nor_pandas_where_they_are_installed() -> None:
    """The keys reach DuckDB as a file it reads: no Python value crosses into a query, so DuckDB's
    module imports neither pandas nor numpy (0.36 s of trusted-to-refined's main thread when it did)."""
    script = textwrap.dedent(
        """
        import sys

        import duckdb
        from cinelake.transform import namekey

        con = duckdb.connect()
        assert namekey.register(con, "SELECT 'name ' || i::VARCHAR FROM range(100) r(i)") == 100
        assert con.execute("SELECT count(text_key('name 7'))").fetchone()[0] == 1
        print(sorted(m for m in ("numpy", "pandas", "pyarrow") if m in sys.modules))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
