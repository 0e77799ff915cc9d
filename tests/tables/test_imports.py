"""What a command loads: the commands that touch no table load no pyiceberg, and reading a table's
metadata loads neither pyarrow nor pandas (pyiceberg's own FileIO for local paths would import both:
about a second per process)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyarrow as pa

from cinelake.lake.store import Lake
from cinelake.tables.registry import refined_table
from cinelake.tables.store import write_arrow

HEAVY = ("pyiceberg", "pyarrow", "pandas", "sqlalchemy")


def _loaded(code: str, cwd: Path) -> list[str]:
    """The HEAVY modules a fresh interpreter has loaded after running ``code``."""
    probe = f"""
import contextlib, io, json, sys
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    with contextlib.suppress(SystemExit):
{chr(10).join("        " + line for line in code.strip().splitlines())}
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, timeout=120, check=True
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_help_and_ingest_load_no_table_library(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("id|tituloPincipal\ntt0000001|A\n", encoding="utf-8")
    assert _loaded("from cinelake.cli import main\nmain(['--help'])", tmp_path) == []
    ingest = "from cinelake.cli import main\nmain(['ingest', 'local', 'm.csv', '--lake', 'lake'])"
    assert _loaded(ingest, tmp_path) == []


def test_reading_a_tables_metadata_loads_no_pyarrow_nor_pandas(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    table = refined_table("fact_movie_history")
    day = date(2026, 11, 26)
    write_arrow(lake, table, pa.table({"movie_key": [1, 2], "snapshot_date": [day, day]}), replace=[str(day)])
    code = f"""
from cinelake.lake.store import Lake
from cinelake.tables.reading import existing_tables
found = existing_tables(Lake({str(tmp_path / "lake")!r}))
assert [t.name for t, _ in found] == ['fact_movie_history'], found
assert found[0][1].current_snapshot() is not None
"""
    assert _loaded(code, tmp_path) == ["pyiceberg", "sqlalchemy"]
