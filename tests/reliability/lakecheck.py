"""Checks every reliability test makes of a lake: files parse, titles land once, nothing half-written."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from cinelake.ingest.tmdb_runs import TmdbRunBook, TmdbRunManifest
from cinelake.lake.manifest import MISSES_IN_MANIFEST, Miss
from cinelake.lake.store import Lake

RAW_TMDB = "Raw/TMDB/JSON"


def raw_records(lake: Lake) -> dict[str, list[dict[str, Any]]]:
    """Every visible Raw TMDB file, parsed line by line (a partial file fails here)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for rel in lake.list_files(RAW_TMDB):
        data = lake.read_bytes(rel)
        assert data.endswith(b"\n"), f"{rel} does not end with a newline (cut short?)"
        rows = [orjson.loads(line) for line in data.splitlines()]
        assert all(isinstance(r, dict) and isinstance(r.get("id"), int) for r in rows), rel
        out[rel] = rows
    return out


def temp_files(root: Path) -> list[str]:
    """Hidden temp files of an atomic write left anywhere under a local lake."""
    found = []
    for folder, _, names in os.walk(root):
        found += [os.path.join(folder, n) for n in names if n.startswith(".") and ".tmp-" in n]
    return found


def assert_every_title_once(lake: Lake, manifest: TmdbRunManifest) -> dict[str, list[dict[str, Any]]]:
    """The visible files are exactly the manifest's, every title appears once, and every requested id
    is accounted for: written, a miss with a reason, or a failure with its error."""
    files = raw_records(lake)
    assert sorted(files) == sorted(f.path for f in manifest.files)
    tmdb_ids = [r["id"] for rows in files.values() for r in rows]
    assert len(tmdb_ids) == len(set(tmdb_ids)) == manifest.counts.written
    for rel, rows in files.items():
        assert 1 <= len(rows) <= 100, rel
    misses = all_misses(lake, manifest)
    assert all(m.reason for m in misses)
    assert all(f.error for f in manifest.failures)
    return files


def all_misses(lake: Lake, manifest: TmdbRunManifest) -> list[Miss]:
    """Every miss of the run from its ``misses.jsonl``, checked against the manifest's counts and head."""
    assert manifest.misses_file == TmdbRunBook(lake, manifest.run).misses_path
    misses = list(TmdbRunBook(lake, manifest.run).iter_misses())
    assert len(misses) == manifest.counts.not_found
    assert misses[: len(manifest.first_misses)] == manifest.first_misses
    assert len(manifest.first_misses) == min(len(misses), MISSES_IN_MANIFEST)
    return misses


def accounted_ids(
    lake: Lake, manifest: TmdbRunManifest, files: dict[str, list[dict[str, Any]]], *, csv: bool
) -> set[str]:
    """The request ids the lake and manifest account for (the IMDB id of a CSV run, else the TMDB id)."""
    written: list[str] = []
    for rows in files.values():
        for r in rows:
            if csv:
                written.append(str(r.get("imdb_id") or (r.get("external_ids") or {}).get("imdb_id")))
            else:
                written.append(str(r["id"]))
    misses = [m.id for m in all_misses(lake, manifest)]
    failures = [f.id for f in manifest.failures]
    every = [*written, *misses, *failures]
    assert len(every) == len(set(every)), "an id is both written and missed, or listed twice"
    return set(every)


def manifest_of(lake: Lake, run_id: str) -> TmdbRunManifest:
    manifest = TmdbRunBook(lake, run_id).load_manifest()
    assert manifest is not None, f"no manifest for run {run_id}"
    return manifest


def file_tree(root: Path, *, skip: Iterable[str] = ()) -> dict[str, bytes]:
    """Every file under a local lake (relative path -> bytes), minus the top folders in ``skip``."""
    skipped = tuple(skip)
    out: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            rel = path.relative_to(root).as_posix()
            if not rel.startswith(skipped):
                out[rel] = path.read_bytes()
    return out


def scan_for(root: Path, needles: Iterable[bytes]) -> list[str]:
    """Files under ``root`` that hold any of ``needles`` (raw bytes, so compressed or binary files count)."""
    wanted = [n for n in needles if n]
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(n in data for n in wanted):
                hits.append(str(path))
    return hits
