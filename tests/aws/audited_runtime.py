"""Run awslambdaric under an audit hook that reports, on stderr, every write outside ``$TMPDIR`` and
every import of a heavy package. Used as ``python audited_runtime.py <handler>``.

The hook writes with ``os.write`` (which raises no audit event of its own) so it cannot recurse.
"""

from __future__ import annotations

import os
import runpy
import sys
from typing import Any

ALLOWED = os.path.realpath(os.environ["TMPDIR"]) + os.sep
FORBIDDEN = (
    "pyspark",
    "duckdb",
    "pandas",
    "pyarrow",
    "plotly",
    "starlette",
    "uvicorn",
    "cinelake.tmdb.server",
)
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
PATH_EVENTS = {
    "os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.symlink", "os.link", "os.truncate",
    "os.chmod", "os.chown", "os.utime", "shutil.rmtree", "shutil.copyfile", "shutil.move",
}  # fmt: skip


def _report(kind: str, detail: str) -> None:
    os.write(2, f"AUDIT-{kind} {detail}\n".encode(errors="replace"))


def _outside(path: Any) -> bool:
    if isinstance(path, int):
        return False  # a file descriptor: its open was audited already
    text = os.fsdecode(path)
    if text.startswith("/dev/"):
        return False
    return not (os.path.realpath(text) + os.sep).startswith(ALLOWED)


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event == "open":
        path, mode, flags = args
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(flags & WRITE_FLAGS)
        if writing and path is not None and _outside(path):
            _report("WRITE", f"open {path!r} mode={mode!r}")
    elif event in PATH_EVENTS:
        for path in args[:2]:
            if isinstance(path, str | bytes | os.PathLike) and _outside(path):
                _report("WRITE", f"{event} {path!r}")
    elif event == "import":
        name = str(args[0])
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
            _report("IMPORT", name)


if __name__ == "__main__":
    sys.addaudithook(_hook)
    sys.argv = ["awslambdaric", *sys.argv[1:]]
    runpy.run_module("awslambdaric", run_name="__main__", alter_sys=True)
