"""The Raw datasets the transformations turn into Trusted tables, and the Raw days of each."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from cinelake.errors import LakePathError
from cinelake.lake import layout
from cinelake.lake.layout import Format, Origin, Zone
from cinelake.lake.store import Lake


@dataclass(frozen=True)
class TrustedDataset:
    """A Raw dataset and the Trusted dataset made from it (each engine has its transformation)."""

    origin: Origin
    raw_format: Format
    spec: str
    suffix: str

    @property
    def name(self) -> str:
        return f"{self.origin.value}/{self.spec}"

    @property
    def raw_dir(self) -> str:
        return layout.dataset_dir(Zone.RAW, self.origin, self.raw_format, self.spec)

    @property
    def trusted_dir(self) -> str:
        return layout.trusted_dir(self.origin, self.spec)


DATASETS: tuple[TrustedDataset, ...] = (
    TrustedDataset(Origin.TMDB, Format.JSON, "Movies", ".json"),
    TrustedDataset(Origin.TMDB, Format.JSON, "Series", ".json"),
    TrustedDataset(Origin.LOCAL, Format.CSV, "Movies", ".csv"),
    TrustedDataset(Origin.LOCAL, Format.CSV, "Series", ".csv"),
)


@dataclass(frozen=True)
class RawDay:
    """The files of one Raw dataset on one processing day."""

    dataset: str  # lake-relative dataset folder, e.g. Raw/TMDB/JSON/Movies
    day: date
    files: tuple[tuple[str, int], ...]  # (name, size), sorted

    @property
    def folder(self) -> str:
        return f"{self.dataset}/{layout.date_path(self.day)}"

    @property
    def digest(self) -> str:
        """A short fingerprint of the day's file names and sizes: equal digests, the same Raw input."""
        body = json.dumps([list(f) for f in self.files], separators=(",", ":")).encode()
        return hashlib.sha256(body).hexdigest()[:16]

    def files_json(self) -> str:
        return json.dumps([list(f) for f in self.files], separators=(",", ":"))


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
                    sorted(
                        (rel.rsplit("/", 1)[-1], lake.size(rel))
                        for rel in lake.list_files(folder)
                        if rel.endswith(suffix) and rel.count("/") == folder.count("/") + 1
                    )
                )
                if files:
                    found.append(RawDay(dataset, when, files))
    return sorted(found, key=lambda d: d.day)
