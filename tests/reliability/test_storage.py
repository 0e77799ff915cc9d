"""Storage faults: a full filesystem under a local lake, and two ingests of the same day at once."""

from __future__ import annotations

import contextlib
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cinelake.lake.store import Lake
from tests.reliability.cli import CINELAKE, assert_one_line_error, cli_env, run_cli
from tests.reliability.conftest import TOKEN, demo_csv
from tests.reliability.figures import FIGURES
from tests.reliability.lakecheck import (
    assert_every_title_once,
    file_tree,
    manifest_of,
    raw_records,
    temp_files,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAY = "2026-11-26"
BOOKKEEPING = ("Raw/TMDB/_runs", "_locks")


def discover_args(lake: str) -> list[str]:
    return [
        "ingest", "tmdb", "--discover", "--genres", "all", "--from", "1995-01-01", "--to", "2003-12-31",
        "--lake", lake, "--date", DAY, "--rate-limit", "0",
    ]  # fmt: skip


@pytest.fixture()
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs (root only); unmounted afterwards whatever happens."""
    mount_point = tmp_path / f"full-{uuid.uuid4().hex[:6]}"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        with contextlib.suppress(Exception):
            subprocess.run(["umount", "-l", str(mount_point)], check=False, capture_output=True)


def test_full_filesystem_gives_a_clear_error_and_nothing_half_written(
    small_tmpfs: Path, tmp_path: Path, tmdb: str
) -> None:
    env = {"TMDB_READ_ACCESS_TOKEN": TOKEN, "TMDB_BASE_URL": tmdb}
    lake_root = small_tmpfs / "lake"
    # A local CSV larger than the whole filesystem: refused, no file and no temp file left.
    big = tmp_path / "movies.csv"
    lines = demo_csv().read_bytes().splitlines(keepends=True)
    big.write_bytes(lines[0] + b"".join(lines[1:]) * 2)
    assert big.stat().st_size > 1024 * 1024
    done = run_cli(["ingest", "local", str(big), "--lake", str(lake_root), "--date", DAY], cwd=tmp_path)
    assert_one_line_error(done, "no space left")
    assert [p for p in lake_root.rglob("*") if p.is_file()] == []

    # A TMDB run of ~20 MB of records into 1 MB: it stops with one clear line; what it wrote is whole.
    done = run_cli(discover_args(str(lake_root)), cwd=tmp_path, env=env)
    assert_one_line_error(done, "no space left")
    lake = Lake(str(lake_root))
    kept = raw_records(lake)
    assert kept, "the run wrote nothing before the disk filled: the case proves little"
    assert temp_files(lake_root) == []

    # Room again (the same tmpfs, grown): the rerun resumes and ends with a clean run's files.
    subprocess.run(["mount", "-o", "remount,size=256m", str(small_tmpfs)], check=True)
    done = run_cli(discover_args(str(lake_root)), cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert run_cli(discover_args(str(tmp_path / "clean")), cwd=tmp_path, env=env).returncode == 0
    assert file_tree(lake_root, skip=BOOKKEEPING) == file_tree(tmp_path / "clean", skip=BOOKKEEPING)
    run = next(p.name for p in (tmp_path / "clean/Raw/TMDB/_runs").iterdir())
    assert_every_title_once(lake, manifest_of(lake, run))
    FIGURES["full_disk"] = {"files_kept_when_full": len(kept), "lost": 0}


def test_two_ingests_of_the_same_day_at_once(tmdb: str, tmp_path: Path) -> None:
    """Either both succeed with identical files, or the loser says why in one line; then a rerun
    completes and the lake equals a clean run's: nothing clobbered, nothing twice."""
    from cinelake.tmdb.server import configure

    env = {"TMDB_READ_ACCESS_TOKEN": TOKEN, "TMDB_BASE_URL": tmdb}
    configure(tmdb, latency_ms=20)
    children = [
        subprocess.Popen(
            [CINELAKE, *discover_args("lake")],
            cwd=tmp_path,
            env=cli_env(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = []
    for child in children:
        out, err = child.communicate(timeout=600)
        outcomes.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
    codes = sorted(o.returncode for o in outcomes)
    for outcome in outcomes:
        assert "Traceback" not in outcome.stdout + outcome.stderr
        if outcome.returncode != 0:
            assert_one_line_error(outcome)
    assert codes[0] == 0, "neither ingest succeeded"
    configure(tmdb, latency_ms=0)
    assert run_cli(discover_args("lake"), cwd=tmp_path, env=env).returncode == 0
    assert run_cli(discover_args("clean"), cwd=tmp_path, env=env).returncode == 0
    lake = Lake(str(tmp_path / "lake"))
    run = next(p.name for p in (tmp_path / "clean/Raw/TMDB/_runs").iterdir())
    assert_every_title_once(lake, manifest_of(lake, run))
    assert file_tree(tmp_path / "lake", skip=BOOKKEEPING) == file_tree(tmp_path / "clean", skip=BOOKKEEPING)
    assert temp_files(tmp_path / "lake") == []
    loser = next((o.stderr.strip().splitlines()[-1] for o in outcomes if o.returncode != 0), None)
    FIGURES["concurrent_ingests"] = {"exit_codes": codes, "loser_message": loser, "lost": 0}
