"""Load: N ids through the unthrottled offline server in one ``cinelake ingest tmdb`` run.

The ids are the IMDB ids of every movie in the offline snapshot (10,855) and, to reach N, IMDB ids
the snapshot does not have (the server answers ``/find`` for them with no result: a miss). The ingest
runs as a child process whose RSS is sampled with psutil; the result says how fast it went, how much
memory it used along the way, and whether every found title is in the lake once.

    .venv/bin/python -m tests.reliability.load --ids 100000     # prints the figures as JSON
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from cinelake.ingest.local_csv import MOVIES_COLUMNS
from cinelake.lake.store import Lake
from tests.reliability.cli import CINELAKE, cli_env
from tests.reliability.lakecheck import all_misses, assert_every_title_once, manifest_of, temp_files

TOKEN = "load-token-7d1f"
DAY = "2026-11-26"


def snapshot_imdb_ids() -> list[str]:
    from cinelake.tmdb.snapshot import load_snapshot

    return sorted({str(m["imdb_id"]) for m in load_snapshot().movies.values() if m.get("imdb_id")})


def write_csv(path: Path, n_ids: int) -> tuple[set[str], set[str]]:
    """A challenge-format CSV of ``n_ids`` distinct ids; returns (ids the snapshot has, the others)."""
    real = snapshot_imdb_ids()[:n_ids]
    known = set(real)
    unknown: list[str] = []
    candidate = 90_000_000
    while len(real) + len(unknown) < n_ids:
        imdb_id = f"tt{candidate}"
        if imdb_id not in known:
            unknown.append(imdb_id)
        candidate += 1
    with path.open("w", encoding="utf-8") as out:
        out.write("|".join(MOVIES_COLUMNS) + "\n")
        for imdb_id in [*real, *unknown]:
            out.write(f"{imdb_id}|T|T|2000|90|Comedy|7.0|10|actor|\\N|A B|1970|\\N|actor|x\n")
    return known, set(unknown)


def run_load(n_ids: int, workdir: Path, *, sample_every: float = 0.25) -> dict[str, Any]:
    """Ingest ``n_ids`` ids into ``workdir/lake`` against a fresh offline server; return the figures."""
    from cinelake.tmdb.server import fetch_stats, serve_in_subprocess

    csv = workdir / "movies.csv"
    known, unknown = write_csv(csv, n_ids)
    lake_root = workdir / "lake"
    args = [
        CINELAKE, "ingest", "tmdb", "--from-csv", str(csv), "--genres", "all", "--lake", str(lake_root),
        "--date", DAY, "--rate-limit", "0",
    ]  # fmt: skip
    with serve_in_subprocess(token=TOKEN) as url:
        env = cli_env({"TMDB_READ_ACCESS_TOKEN": TOKEN, "TMDB_BASE_URL": url})
        started = time.monotonic()
        child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        process = psutil.Process(child.pid)
        samples: list[tuple[float, int]] = []
        while child.poll() is None:
            try:
                samples.append((time.monotonic() - started, process.memory_info().rss))
            except psutil.Error:
                break
            time.sleep(sample_every)
        _, err = child.communicate()
        seconds = time.monotonic() - started
        stats = fetch_stats(url)
    if child.returncode != 0:
        raise RuntimeError(f"the load run failed ({child.returncode}): {err[-2000:]}")
    lake = Lake(str(lake_root))
    run = next(p.name for p in (lake_root / "Raw/TMDB/_runs").iterdir())
    manifest = manifest_of(lake, run)
    files = assert_every_title_once(lake, manifest)
    written_imdb = {
        str((r.get("external_ids") or {}).get("imdb_id") or r.get("imdb_id"))
        for rows in files.values()
        for r in rows
    }
    missed = {m.id: m.reason for m in all_misses(lake, manifest)}
    assert manifest.status == "complete" and manifest.counts.failed == 0
    assert written_imdb | set(missed) == known | unknown
    assert all(missed.get(i) == "no TMDB title" for i in unknown)
    assert temp_files(lake_root) == []
    rss = [r for _, r in samples]
    tenth = max(1, len(rss) // 10)
    return {
        "ids": n_ids,
        "found": manifest.counts.written,
        "not_found": manifest.counts.not_found,
        "failed": manifest.counts.failed,
        "files": len(files),
        "requests": stats["requests"],
        "seconds": round(seconds, 1),
        "ids_per_s": round(n_ids / seconds),
        "requests_per_s": round(stats["requests"] / seconds),
        "rss_samples": len(rss),
        "rss_peak_mb": round(max(rss) / 2**20, 1) if rss else None,
        # Flat memory: the peak of the last tenth of the run against the peak of its second tenth.
        "rss_early_mb": round(max(rss[tenth : 2 * tenth]) / 2**20, 1) if len(rss) >= 20 else None,
        "rss_late_mb": round(max(rss[-tenth:]) / 2**20, 1) if len(rss) >= 20 else None,
        "lost": 0,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ids", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=None, help="Work in this folder and keep the lake.")
    options = parser.parse_args(argv)
    if options.keep:
        options.keep.mkdir(parents=True, exist_ok=True)
        figures = run_load(options.ids, options.keep)
    else:
        with tempfile.TemporaryDirectory() as folder:
            figures = run_load(options.ids, Path(folder))
    json.dump(figures, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
