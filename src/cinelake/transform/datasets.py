"""The Raw datasets the transformations turn into Trusted ones, and which of their days are pending."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Format, Origin, Zone
from cinelake.lake.store import Lake
from cinelake.transform import bookkeeping
from cinelake.transform.results import PartitionResult, RawToTrustedResult


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


def plan_all(
    lake: Lake, *, day: date | None, force: bool, say: Callable[[str], None]
) -> tuple[RawToTrustedResult, list[tuple[TrustedDataset, list[bookkeeping.RawDay]]]]:
    """Both engines' raw-to-trusted plan: the result with its up-to-date days already listed as
    skipped, and the (dataset, days to process) pairs left to do (none: said so)."""
    plans = [(dataset, *plan(lake, dataset, day=day, force=force)) for dataset in DATASETS]
    if day is not None and not any(todo or done for _, todo, done in plans):
        raise UsageError(f"no Raw data for {day.isoformat()} in {lake.url}")
    result = RawToTrustedResult()
    for dataset, _todo, done in plans:
        for raw in done:
            path = layout.trusted_partition(dataset.origin, dataset.spec, raw.day)
            result.partitions.append(PartitionResult(dataset.name, raw.day, "skipped", path=path))
    pending = [(dataset, todo) for dataset, todo, _ in plans if todo]
    if not pending:
        say("nothing to do: every Raw day is already in Trusted")
    return result, pending
