"""The bookkeeping both engines share: the Raw days of a dataset, the ``_sources.json`` marker that
says a Trusted partition is complete and from which Raw files, and the recovery of a folder swap a
crash cut short."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cinelake.errors import LakePathError
from cinelake.lake import layout
from cinelake.lake.store import Lake

SOURCES_MARKER = "_sources.json"
"""Written into a Trusted partition after it is complete: which Raw files it was built from."""


# --- Raw days ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawDay:
    """The files of one Raw dataset on one processing day."""

    dataset: str  # lake-relative dataset folder, e.g. Raw/TMDB/JSON/Movies
    day: date
    files: tuple[tuple[str, int], ...]  # (name, size), sorted

    @property
    def folder(self) -> str:
        return f"{self.dataset}/{layout.date_path(self.day)}"


def raw_days(lake: Lake, dataset: str, suffix: str) -> list[RawDay]:
    """Every ``YYYY/MM/DD`` folder of a Raw dataset holding at least one ``*<suffix>`` file, by date."""
    found: list[RawDay] = []
    for year in lake.list_dirs(dataset):
        for month in lake.list_dirs(f"{dataset}/{year}"):
            for day in lake.list_dirs(f"{dataset}/{year}/{month}"):
                try:
                    when = layout.parse_date_path(f"{year}/{month}/{day}")
                except LakePathError:
                    continue  # not a date folder: not data
                folder = f"{dataset}/{year}/{month}/{day}"
                files = tuple(
                    (rel.rsplit("/", 1)[-1], lake.size(rel))
                    for rel in lake.list_files(folder)
                    if rel.endswith(suffix) and rel.count("/") == folder.count("/") + 1
                )
                if files:
                    found.append(RawDay(dataset, when, files))
    return sorted(found, key=lambda d: d.day)


# --- Trusted partition markers --------------------------------------------------------------------------


def marker_path(partition: str) -> str:
    return f"{partition}/{SOURCES_MARKER}"


def is_up_to_date(lake: Lake, partition: str, raw: RawDay) -> bool:
    """True when the partition was completed from exactly these Raw files (names and sizes)."""
    path = marker_path(partition)
    if not lake.exists(path):
        return False
    try:
        marker = json.loads(lake.read_bytes(path))
    except ValueError:
        return False
    recorded = [(str(name), int(size)) for name, size in marker.get("files", [])]
    return recorded == list(raw.files)


def write_marker(lake: Lake, partition: str, raw: RawDay, counts: dict[str, int]) -> None:
    body: dict[str, Any] = {
        "source": raw.folder,
        "files": [list(f) for f in raw.files],
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **counts,
    }
    lake.write_bytes(marker_path(partition), json.dumps(body, indent=1).encode())


def entries(lake: Lake, parent: str, prefixes: tuple[str, ...]) -> list[str]:
    """Names of the entries directly in ``parent`` (hidden ones included) that start with a prefix, sorted."""
    path = lake.fs_path(parent)
    if not lake.fs.exists(path):
        return []
    names = [str(e).rstrip("/").rsplit("/", 1)[-1] for e in lake.fs.ls(path, detail=False)]
    return sorted(n for n in names if n.startswith(prefixes))


def _hidden_siblings(lake: Lake, parent: str, name: str) -> list[str]:
    """Names of the ``.<name>.tmp-*`` / ``.<name>.old-*`` folders a swap leaves behind, sorted."""
    return entries(lake, parent, (f".{name}.tmp-", f".{name}.old-"))


def recover_table(lake: Lake, table_rel: str) -> None:
    """Undo a swap a crash interrupted: put the old table back if the new one never arrived; drop temps."""
    parent, name = table_rel.rsplit("/", 1)
    leftovers = _hidden_siblings(lake, parent, name)
    olds = [n for n in leftovers if n.startswith(f".{name}.old-")]
    if olds and not lake.exists(table_rel):
        lake.fs.mv(lake.fs_path(f"{parent}/{olds[-1]}"), lake.fs_path(table_rel), recursive=True)
        leftovers.remove(olds[-1])
    for folder in leftovers:
        lake.fs.rm(lake.fs_path(f"{parent}/{folder}"), recursive=True)


def recover_swaps(lake: Lake, parent: str) -> list[str]:
    """Finish every swap a crash cut short directly in ``parent`` (see :func:`recover_table`), whether
    or not its target will be written again; returns the targets' names."""
    names = sorted({n for n in map(_swap_target, entries(lake, parent, (".",))) if n})
    for name in names:
        recover_table(lake, f"{parent}/{name}")
    return names


def _swap_target(entry: str) -> str:
    """``dt=2026-11-26`` for ``.dt=2026-11-26.old-<token>`` or ``.dt=2026-11-26.tmp-<token>``, else ''."""
    for kind in (".old-", ".tmp-"):
        name, found, _ = entry[1:].rpartition(kind)
        if found and name:
            return name
    return ""
