"""The Raw datasets the transformations turn into Trusted ones, and which of their days are pending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cinelake.lake import layout
from cinelake.lake.layout import Format, Origin, Zone
from cinelake.lake.store import Lake
from cinelake.transform import bookkeeping


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


def plan(
    lake: Lake, dataset: TrustedDataset, *, day: date | None, force: bool
) -> tuple[list[bookkeeping.RawDay], list[bookkeeping.RawDay]]:
    """(days to process, days already up to date) of one dataset."""
    todo: list[bookkeeping.RawDay] = []
    done: list[bookkeeping.RawDay] = []
    for raw in bookkeeping.raw_days(lake, dataset.raw_dir, dataset.suffix):
        if day is not None and raw.day != day:
            continue
        partition = layout.trusted_partition(dataset.origin, dataset.spec, raw.day)
        if not force and bookkeeping.is_up_to_date(lake, partition, raw):
            done.append(raw)
        else:
            todo.append(raw)
    return todo, done
