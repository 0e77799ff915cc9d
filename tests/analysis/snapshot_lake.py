"""Write the packaged TMDB snapshot into a lake as Raw TMDB JSON Lines (100 records a file, like the
ingestion job), and with ``--refined`` also as Refined star-schema tables.

    python -m tests.analysis.snapshot_lake ./lake [--refined] [--date 2026-11-26]
"""

from __future__ import annotations

import argparse
import gzip
import json
from datetime import date

import cinelake
from cinelake.lake.store import Lake
from tests.analysis.conftest import SNAPSHOT
from tests.analysis.lakes import write_raw, write_refined


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("lake")
    parser.add_argument("--refined", action="store_true", help="also write the Refined tables")
    parser.add_argument("--date", default="2026-11-26", help="the ingestion day (YYYY-MM-DD)")
    args = parser.parse_args()
    day = date.fromisoformat(args.date)
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as handle:
        movies = [json.loads(line) for line in handle if line.strip()]
    lake = Lake(args.lake)
    for start in range(0, len(movies), 100):
        write_raw(lake, movies[start : start + 100], day, run="snapshot", chunk=start // 100 + 1)
    if args.refined:
        write_refined(lake, movies, day)
    print(f"{len(movies)} TMDB movies of cinelake {cinelake.__version__}'s snapshot written to {lake.url}")


if __name__ == "__main__":
    main()
