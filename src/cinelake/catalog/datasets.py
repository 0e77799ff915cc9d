"""Finding the datasets of a lake and grouping their files into partitions.

A dataset is ``<Zone>/<Origin>/<Format>/<Spec>`` (Raw and Trusted) or ``Refined/<table>``. Below it,
``YYYY/MM/DD`` folders become the partition keys ``year``, ``month``, ``day`` (strings, as Athena's
partition projection sees them) and Hive folders (``dt=2026-11-26``) their own keys. Folders and files
starting with ``_`` or ``.`` are bookkeeping or temp files and never part of a dataset.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from cinelake.lake import layout
from cinelake.lake.layout import Zone
from cinelake.lake.store import Lake

log = logging.getLogger("cinelake.catalog")

DATE_KEYS = ("year", "month", "day")
_YEAR, _TWO = re.compile(r"^\d{4}$"), re.compile(r"^\d{2}$")
_HIVE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.+)$")
_EXTENSIONS = {
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
}


@dataclass(frozen=True)
class DataFile:
    rel: str  # lake-relative path
    size: int


@dataclass
class Dataset:
    """One folder of same-shaped files: one catalog table."""

    zone: Zone
    rel: str  # lake-relative folder
    table: str  # catalog table name
    classification: str = ""  # json | csv | parquet
    extension: str = ""
    layout: str = "none"  # none | date | hive
    keys: tuple[str, ...] = ()
    partitions: dict[tuple[str, ...], list[DataFile]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def files(self) -> list[DataFile]:
        return [f for files in self.partitions.values() for f in files]

    def partition_rel(self, values: tuple[str, ...]) -> str:
        """The lake-relative folder of a partition."""
        if not values:
            return self.rel
        if self.layout == "date":
            return f"{self.rel}/{'/'.join(values)}"
        return self.rel + "/" + "/".join(f"{k}={v}" for k, v in zip(self.keys, values, strict=True))


def table_name(*parts: str) -> str:
    """``raw_tmdb_movies``: the parts joined with ``_``, lower case, only letters, digits and ``_``."""
    text = "_".join(parts).lower()
    return re.sub(r"[^a-z0-9_]", "_", text)


def find_datasets(lake: Lake, zones: Iterable[Zone]) -> list[Dataset]:
    """Every dataset folder of the given zones (not yet listed: see :func:`list_dataset`)."""
    found: list[Dataset] = []
    for zone in zones:
        if zone is Zone.REFINED:
            for name in lake.list_dirs(layout.refined_dir()):
                found.append(Dataset(zone, f"{layout.refined_dir()}/{name}", table_name(name)))
            continue
        zone_sets: list[tuple[str, str, str]] = []
        for origin in lake.list_dirs(zone.value):
            for fmt in lake.list_dirs(f"{zone.value}/{origin}"):
                for spec in lake.list_dirs(f"{zone.value}/{origin}/{fmt}"):
                    zone_sets.append((origin, fmt, spec))
        names = Counter(table_name(zone.value, o, s) for o, _, s in zone_sets)
        for origin, fmt, spec in zone_sets:
            name = table_name(zone.value, origin, spec)
            if names[name] > 1:  # the same spec in two formats: say which one
                name = table_name(zone.value, origin, fmt, spec)
            found.append(Dataset(zone, f"{zone.value}/{origin}/{fmt}/{spec}", name))
    return found


def list_files_with_sizes(lake: Lake, prefix: str) -> list[DataFile]:
    """Every visible file under ``prefix`` with its size, from one recursive listing."""
    return [DataFile(rel, size) for rel, size in lake.file_sizes(prefix).items()]


def classify(name: str) -> tuple[str, str]:
    """``(classification, extension)`` of a file name, or ``("", "")`` when it is not a data file."""
    lower = name.lower()
    for ext, kind in _EXTENSIONS.items():
        if lower.endswith(ext):
            return kind, ext
    return "", ""


def _partition_of(segments: list[str]) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """``(layout, keys, values)`` of the folders between the dataset and a file, or None."""
    if not segments:
        return "none", (), ()
    if (
        len(segments) == 3
        and _YEAR.match(segments[0])
        and _TWO.match(segments[1])
        and _TWO.match(segments[2])
    ):
        return "date", DATE_KEYS, tuple(segments)
    matches = [_HIVE.match(s) for s in segments]
    if all(matches):
        return "hive", tuple(m[1].lower() for m in matches if m), tuple(m[2] for m in matches if m)
    return None


def list_dataset(lake: Lake, dataset: Dataset) -> Dataset:
    """Fill in the dataset's files grouped by partition, its format and its partition layout.

    Files that do not fit the dataset's main format or folder layout are left out and named in
    ``dataset.skipped`` (a crawler never guesses a table out of a stray file).
    """
    files = list_files_with_sizes(lake, dataset.rel)
    kinds = Counter(classify(f.rel.rsplit("/", 1)[-1]) for f in files)
    kinds.pop(("", ""), None)
    if not kinds:
        dataset.skipped = [f.rel for f in files]
        return dataset
    (dataset.classification, dataset.extension), _ = kinds.most_common(1)[0]
    placed: list[tuple[tuple[str, tuple[str, ...]], tuple[str, ...], DataFile]] = []
    for item in files:
        name = item.rel.rsplit("/", 1)[-1]
        if classify(name)[0] != dataset.classification:
            dataset.skipped.append(item.rel)
            continue
        segments = item.rel[len(dataset.rel) + 1 :].split("/")[:-1]
        found = _partition_of(segments)
        if found is None:
            dataset.skipped.append(item.rel)
            continue
        style, keys, values = found
        placed.append(((style, keys), values, item))
    if not placed:
        return dataset
    shapes = Counter(shape for shape, _, _ in placed)
    (dataset.layout, dataset.keys), _ = shapes.most_common(1)[0]
    for shape, values, item in placed:
        if shape != (dataset.layout, dataset.keys):
            dataset.skipped.append(item.rel)
            continue
        dataset.partitions.setdefault(values, []).append(item)
    if dataset.skipped:
        log.warning(
            "%s: %d file(s) outside the dataset's layout were left out", dataset.rel, len(dataset.skipped)
        )
    return dataset


def pick_sample(files: list[DataFile], sample: int | None) -> list[DataFile]:
    """``sample`` files spread evenly over the (sorted) list; all of them when ``sample`` is None."""
    if sample is None or sample >= len(files):
        return list(files)
    if sample <= 0:
        return []
    if sample == 1:
        return [files[0]]
    step = (len(files) - 1) / (sample - 1)
    picked = sorted({round(i * step) for i in range(sample)})
    return [files[i] for i in picked]
