"""Cut the small real data the tests read (tests/data/) from the full sources in ../shared/data.

    .venv/bin/python scripts/cut_test_data.py [--data ../shared/data] [--out tests/data]

The output is committed, so a clone with nothing beside it runs every test; run this again only to
redo the cut. Each folder gets a SOURCE.md: the provenance and licence copied from the source folder's
SOURCE.md, followed by what was taken and how (file, bytes, rows, sha256).

What is taken:
- compass_uol_sample/: the three CSV samples whole (they are already 50, 50 and 100 rows);
- tmdb_api_samples/: every response sample and the BSD licence, whole (about 110 KB);
- tmdb_tv_samples/: the first TV_SERIES lines of tv_details.jsonl (real /tv/{id} responses);
- gutenberg/: BOOKS whole: one with a UTF-8 BOM, one without, both with CRLF line ends.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "tests" / "data"

COMPASS = ("movies_subset_1.csv", "movies_subset_2.csv", "series_subset.csv")
BOOKS = ("31251-0.txt", "jnglb10.txt")
TV_SERIES = 100  # all of them: the TV tests compare the server with each real response
LIMIT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Cut:
    """One file written: where, and how it was made from its source."""

    path: Path
    name: str  # inside its folder
    how: str

    def line(self) -> str:
        data = self.path.read_bytes()
        rows = data.count(b"\n")
        digest = hashlib.sha256(data).hexdigest()
        return f"| {self.name} | {self.how} | {len(data):,} | {rows:,} | {digest[:16]} |"


def copy_whole(source: Path, target: Path, name: str) -> Cut:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return Cut(target, name, "whole, byte for byte")


def head_lines(source: Path, target: Path, count: int) -> Cut:
    """The first ``count`` lines, bytes unchanged (line ends kept)."""
    with source.open("rb") as handle:
        lines = [line for _, line in zip(range(count), handle, strict=False)]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"".join(lines))
    return Cut(target, target.name, f"first {len(lines)} of its lines, bytes unchanged")


def write_source_note(folder: Path, source_note: Path, cuts: list[Cut]) -> None:
    table = [
        "| file | how | bytes | lines | sha256 (first 16) |",
        "|---|---|---|---|---|",
        *(cut.line() for cut in sorted(cuts, key=lambda c: c.name)),
    ]
    text = (
        f"{source_note.read_text(encoding='utf-8').rstrip()}\n\n"
        "## This cut (tests/data)\n\n"
        "The text above is the provenance and licence of the full source, copied unchanged; of the files\n"
        "it describes, only these are here, cut by `scripts/cut_test_data.py` (run it again to redo it):\n\n"
        + "\n".join(table)
        + "\n"
    )
    (folder / "SOURCE.md").write_text(text, encoding="utf-8")


def cut_all(data: Path, out: Path) -> list[Path]:
    """Write every folder of ``out`` afresh from ``data``; returns the folders written."""
    plans: dict[str, list[tuple[Path, str]]] = {
        "compass_uol_sample": [(data / "compass_uol_sample" / n, n) for n in COMPASS],
        "tmdb_api_samples": [
            (p, str(p.relative_to(data / "tmdb_api_samples")))
            for p in sorted((data / "tmdb_api_samples").rglob("*"))
            if p.is_file() and p.name != "SOURCE.md"
        ],
        "gutenberg": [(data / "gutenberg" / n, n) for n in BOOKS],
    }
    written = []
    for name, files in plans.items():
        folder = out / name
        shutil.rmtree(folder, ignore_errors=True)
        cuts = [copy_whole(source, folder / rel, rel) for source, rel in files]
        write_source_note(folder, data / name / "SOURCE.md", cuts)
        written.append(folder)

    folder = out / "tmdb_tv_samples"
    shutil.rmtree(folder, ignore_errors=True)
    cut = head_lines(data / "tmdb_tv_samples" / "tv_details.jsonl", folder / "tv_details.jsonl", TV_SERIES)
    write_source_note(folder, data / "tmdb_tv_samples" / "SOURCE.md", [cut])
    written.append(folder)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the full sources (../shared/data)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the cut goes (tests/data)")
    args = parser.parse_args(argv)
    missing = [n for n in ("compass_uol_sample", "tmdb_api_samples", "gutenberg", "tmdb_tv_samples")
               if not (args.data / n / "SOURCE.md").is_file()]  # fmt: skip
    if missing:
        print(f"error: {args.data} lacks {', '.join(missing)} (each with its SOURCE.md)", file=sys.stderr)
        return 2
    folders = cut_all(args.data, args.out)
    total = sum(p.stat().st_size for f in folders for p in f.rglob("*") if p.is_file())
    for folder in folders:
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        print(f"{folder}: {size:,} bytes")
    print(f"total: {total:,} bytes")
    if total > LIMIT_BYTES:
        print(f"error: the cut is over {LIMIT_BYTES:,} bytes; take less", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
