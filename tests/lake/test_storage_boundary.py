"""Nothing outside the storage layer goes around the ``Lake``: no code of ``src/cinelake`` outside
``cinelake.lake`` touches a lake's fsspec filesystem (``lake.fs``) or names a TMDB concept inside
``cinelake.lake``. Each check is a scan of the source's syntax tree, so it holds for code no test runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import cinelake

PACKAGE = Path(cinelake.__file__).parent
STORAGE = PACKAGE / "lake"


def filesystem_uses(source: str) -> list[int]:
    """The lines of ``source`` that reach a ``.fs`` attribute (or ``getattr(x, "fs")``).

    Hadoop's Java package ``org.apache.hadoop.fs`` (Spark's JVM, reached as ``jvm.org.apache.hadoop.fs``)
    is a package name, not a lake's filesystem, and is left out.
    """
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "fs":
            owner = node.value
            if isinstance(owner, ast.Attribute) and owner.attr == "hadoop":
                continue
            lines.append(node.lineno)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "fs"
        ):
            lines.append(node.lineno)
    return sorted(lines)


def outside_storage() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if STORAGE not in p.parents)


def test_the_scan_finds_a_filesystem_reached_around_the_lake() -> None:
    source = "def f(lake):\n    lake.fs.rm('x')\n    return getattr(lake, 'fs')\n"
    assert filesystem_uses(source) == [2, 3]
    assert filesystem_uses("jvm.org.apache.hadoop.fs.FileSystem.get(conf)") == []


def test_no_code_outside_the_storage_layer_touches_the_lakes_filesystem() -> None:
    files = outside_storage()
    assert len(files) > 50  # the scan sees the package
    found = {
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in files
        for line in filesystem_uses(path.read_text(encoding="utf-8"))
    }
    assert not found, f"use the Lake's own operations (cinelake.lake.store.Lake) instead of lake.fs: {found}"


# The lake's map names the folder of each origin (Raw/TMDB beside Raw/Local), and nothing else in the
# storage layer may know one source from another.
NAMES_ORIGINS = {"layout.py": "the lake's map: it names each origin's folders, Raw/TMDB as Raw/Local"}


def test_the_storage_layer_names_no_tmdb_concept() -> None:
    found = {
        f"lake/{path.name}:{number}"
        for path in sorted(STORAGE.glob("*.py"))
        if path.name not in NAMES_ORIGINS
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "tmdb" in line.lower()
    }
    assert not found, f"TMDB's own concepts belong in cinelake.ingest or cinelake.tmdb: {found}"
