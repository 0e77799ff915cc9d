"""What the transformation jobs return (the same from either engine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class PartitionResult:
    dataset: str  # e.g. "TMDB/Movies"
    day: date
    status: str  # "written" or "skipped" (already up to date)
    rows: int = 0  # rows in the Trusted partition
    input_rows: int = 0  # records read from Raw (malformed lines and same-day duplicates included)
    path: str = ""  # lake-relative partition folder


@dataclass
class RawToTrustedResult:
    partitions: list[PartitionResult] = field(default_factory=list)
    catalog_updated: bool = False

    @property
    def written(self) -> list[PartitionResult]:
        return [p for p in self.partitions if p.status == "written"]

    @property
    def skipped(self) -> list[PartitionResult]:
        return [p for p in self.partitions if p.status == "skipped"]


@dataclass
class RefinedResult:
    """Rows written per table (lake-relative table folder -> rows)."""

    tables: dict[str, int] = field(default_factory=dict)
    catalog_updated: bool = False
