"""Run the real ``cinelake`` console script in a child process, as a user does."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

CINELAKE = str(Path(sys.executable).with_name("cinelake"))


def cli_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The parent's environment without TMDB credentials or a lake, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TMDB_READ_ACCESS_TOKEN", "TMDB_API_KEY", "TMDB_BASE_URL", "CINELAKE_LAKE")
    }
    env.update(extra or {})
    return env


def run_cli(
    args: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CINELAKE, *args],
        cwd=cwd,
        env=cli_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """A non-zero exit, no traceback, and stderr ending with one ``error:`` line naming ``words``."""
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "Traceback" not in output, output
    # Long commands log progress lines on stderr first (no terminal); the error is the one last line.
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and lines[-1] == errors[0], f"expected one last error line, got {lines!r}"
    line = errors[0]
    assert len(line) < 400, f"the error line is {len(line)} characters long"
    for word in words:
        assert word.lower() in line.lower(), f"{word!r} not in {line!r}"
    return line
